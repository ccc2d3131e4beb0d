/** The benches' throwaway PostgreSQL databases: made on the server, dropped at the end (name starts with `_`: bench/run.ts skips it). */
import pg from 'pg';

const SERVER = process.env.SKENE_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs `fn` on a short-lived client of `url` (default: the server's maintenance database). */
export async function admin<T>(fn: (c: pg.Client) => Promise<T>, url = SERVER): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Drops and makes the database `name` anew; returns its URL. */
export async function freshDatabase(name: string): Promise<string> {
  await dropDatabase(name);
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return SERVER.replace(/\/[^/]*$/, `/${name}`);
}

export async function dropDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
