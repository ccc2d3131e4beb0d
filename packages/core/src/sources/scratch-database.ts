/**
 * What each driver's scratch database is made of (postgres.ts, mysql.ts, redis.ts): its name, its
 * label, and a drop that retries. Apart from scratch.ts, which loads those drivers on demand, so
 * that they need not import it back.
 */
import { randomBytes } from 'node:crypto';
import { maskUrl } from './url.js';

/** Every scratch database's name starts with this (PostgreSQL, MySQL). */
export const SCRATCH_PREFIX = 'skene_scratch_';

/** `skene_scratch_<12 hex digits>`: a valid unquoted identifier on PostgreSQL and MySQL. */
export function scratchName(): string {
  return `${SCRATCH_PREFIX}${randomBytes(6).toString('hex')}`;
}

/** A scratch database an adapter created (see createPostgresScratch, createMysqlScratch, createRedisScratch). */
export interface ScratchDatabase {
  /** The URL of the scratch database: the given URL's server and credentials. Never shown. */
  url: string;
  /** What it is, for messages: `database skene_scratch_1a2b3c4d5e6f`, `logical database 3`. */
  name: string;
  /** Drops it. Throws an Error that says how to drop it by hand when it cannot. */
  drop(): Promise<void>;
}

/** The URL without its database (password masked): `postgres://app:***@db.example.com:5432`. */
export function serverLabel(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.pathname = '';
    parsed.search = '';
    return maskUrl(parsed.toString()).replace(/\/$/, '');
  } catch {
    return maskUrl(url);
  }
}

/**
 * Runs `drop` up to five times, 200 ms × attempt apart, while `retry` says the error may pass (a
 * database still in use, a connection lost during a long plan); `retry` returning 'reconnect'
 * means the adapter's admin connection is thrown away first (see `reconnect`).
 */
export async function retryDrop(
  drop: () => Promise<void>,
  options: { retry: (error: unknown) => 'wait' | 'reconnect' | false; reconnect: () => Promise<void> },
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await drop();
    } catch (error) {
      const how = attempt < 4 ? options.retry(error) : false;
      if (!how) throw error;
      if (how === 'reconnect') await options.reconnect();
      await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
    }
  }
}
