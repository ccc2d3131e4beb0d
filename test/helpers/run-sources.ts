/**
 * The runner's sources other than PostgreSQL, for the CLI tests of issue 16: MariaDB with trigger
 * capture, MariaDB in TiDB's watermark mode (the flavor forced in the config: there is no TiDB
 * here), Redis over TCP and Upstash's REST API (the double in front of the real Redis). Each
 * gives a folder with a config, the `--database-url` to pass, and a way to add a user — one
 * row, or one hash — that its capture sees. The job state is chosen apart (`stateFor`).
 */
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { Redis } from 'ioredis';
import { importPglite } from '../../packages/core/src/sources/pglite-module.js';
import { serviceOrSkip } from './services.js';
import { tempMysqlDatabase, tempPostgresDatabase } from '../../packages/core/test/plan/helpers.js';
import { createRedisScratch } from '../../packages/core/src/sources/redis.js';
import { startUpstashDouble } from '../plan/upstash-double.js';

export const SOURCE_ENV = {
  DATABASE_URL: '',
  SKENE_STATE_URL: '',
  UPSTASH_REDIS_REST_TOKEN: '',
  RESEND_API_KEY: '',
  RESEND_BASE_URL: '',
  SKENE_CONFIG_DIR: tmpdir(),
  NO_COLOR: '1',
  SKENE_RESEND_RATE: '1000',
  SKENE_EMAIL_FROM: 'Acme <hello@acme.example>',
};

export type SourceName = 'mariadb-triggers' | 'mariadb-watermark' | 'redis-tcp' | 'upstash-rest';
export const SOURCES: SourceName[] = ['mariadb-triggers', 'mariadb-watermark', 'redis-tcp', 'upstash-rest'];

/** One user: the row (or hash) a database trigger on `users` sees as an insert. */
export interface NewUser {
  id: number;
  email: string;
  name: string;
}

export interface SourceSetup {
  /** `--database-url …` for plan, migrate and run. */
  source: string[];
  /** Extra environment (the Upstash token). */
  env: Record<string, string>;
  /** Whether `skene migrate` installs capture here (triggers, keyspace flags). */
  migrates: boolean;
  addUsers(users: NewUser[]): Promise<void>;
  /** MariaDB sources: a statement on the source's database. */
  query?: (sql: string, params?: unknown[]) => Promise<unknown>;
  /** Redis sources: a client on the source's logical database. */
  redis?: Redis;
}

export interface LoopFiles {
  /** The loops of `skene.config.ts`. */
  loops: unknown[];
  templates: Record<string, string>;
}

/** A project folder with the config (and the source's `database` settings) and its templates. */
export function writeProject(t: TestContext, files: LoopFiles, database: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-run-source-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'emails'));
  writeFileSync(join(dir, 'skene.config.ts'), `export default ${JSON.stringify({ loops: files.loops, database }, null, 2)};\n`);
  for (const [name, text] of Object.entries(files.templates)) writeFileSync(join(dir, 'emails', name), text);
  return dir;
}

/** The config's `database` settings a source needs (the TiDB flavor forced on MariaDB). */
export function databaseSettings(name: SourceName): Record<string, unknown> {
  return name === 'mariadb-watermark' ? { flavor: 'tidb' } : {};
}

async function mariadb(t: TestContext, name: SourceName, extraSql: string[]): Promise<SourceSetup | undefined> {
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return undefined;
  const url = await tempMysqlDatabase(t, server, `skene_${name.replace(/-/g, '_')}`);
  const conn = await mysql.createConnection(url);
  t.after(() => conn.end());
  await conn.query(`SET time_zone = '+00:00'`);
  await conn.query(`CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(200) NOT NULL, name VARCHAR(200) NOT NULL,
    created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) CHARACTER SET utf8mb4`);
  for (const sql of extraSql) await conn.query(sql);
  return {
    source: ['--database-url', url],
    env: {},
    migrates: name === 'mariadb-triggers',
    query: (sql, params) => conn.query(sql, params),
    async addUsers(users) {
      for (let i = 0; i < users.length; i += 500) {
        const page = users.slice(i, i + 500);
        await conn.query('INSERT INTO users (id, email, name) VALUES ?', [page.map((u) => [u.id, u.email, u.name])]);
      }
    },
  };
}

async function redis(t: TestContext, name: SourceName): Promise<SourceSetup | undefined> {
  const server = await serviceOrSkip(t, 'redis');
  if (!server) return undefined;
  // A logical database of our own, claimed as a plan's scratch database is, flushed at the end.
  const scratch = await createRedisScratch(server);
  t.after(() => scratch.drop());
  const client = new Redis(scratch.url);
  t.after(() => client.quit());
  const setup: SourceSetup = {
    source: ['--database-url', scratch.url],
    env: {},
    migrates: true,
    redis: client,
    async addUsers(users) {
      const batch = client.pipeline();
      for (const u of users) batch.hset(`users:${u.id}`, { id: String(u.id), email: u.email, name: u.name });
      await batch.exec();
    },
  };
  if (name === 'redis-tcp') return setup;
  const upstash = await startUpstashDouble(scratch.url);
  t.after(() => upstash.close());
  return { ...setup, source: ['--database-url', upstash.url], env: { UPSTASH_REDIS_REST_TOKEN: upstash.token } };
}

/** The source, its `users` table (hashes) empty; `extraSql` creates more MariaDB tables. */
export function openSourceFor(t: TestContext, name: SourceName, extraSql: string[] = []): Promise<SourceSetup | undefined> {
  return name.startsWith('mariadb') ? mariadb(t, name, extraSql) : redis(t, name);
}

export type StateName = 'postgres' | 'embedded' | 'redis';

export interface StateSetup {
  /** `--state-url …`, or nothing for the embedded state under the project folder. */
  state: string[];
  /** The ledger's rows: email id → state and provider id. */
  ledger(): Promise<Map<string, { state: string; providerId: string | null }>>;
}

/**
 * The job state: a throwaway PostgreSQL database (pg-boss), the embedded PGlite in
 * `<cwd>/.skene/state`, or — for a Redis source, with no `--state-url` — BullMQ and the ledger on
 * the source's own Redis (`source.redis`).
 */
export async function stateFor(t: TestContext, name: StateName, cwd: string, source?: SourceSetup): Promise<StateSetup | undefined> {
  if (name === 'redis') {
    const redis = source?.redis;
    assert.ok(redis, 'a Redis state needs a Redis source');
    return {
      state: [],
      async ledger() {
        const rows = new Map<string, { state: string; providerId: string | null }>();
        const prefix = 'skene:{state}:send:';
        for (const key of await redis.keys(`${prefix}*`)) {
          const [state, providerId] = await redis.hmget(key, 'state', 'provider_id');
          rows.set(key.slice(prefix.length), { state: state!, providerId: providerId ?? null });
        }
        return rows;
      },
    };
  }
  const sql = 'SELECT email_id, state, provider_id FROM skene.sends';
  type SendRow = { email_id: string; state: string; provider_id: string | null };
  const toMap = (rows: SendRow[]) => new Map(rows.map((r) => [r.email_id, { state: r.state, providerId: r.provider_id }]));
  if (name === 'embedded') {
    return {
      state: [],
      // PGlite is one process's: read once the runs have exited.
      async ledger() {
        const { PGlite } = await importPglite();
        const db = await PGlite.create({ dataDir: join(cwd, '.skene', 'state') });
        try {
          return toMap((await db.query<SendRow>(sql)).rows);
        } finally {
          await db.close();
        }
      },
    };
  }
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return undefined;
  const url = await tempPostgresDatabase(t, server, 'skene_run_state');
  return {
    state: ['--state-url', url],
    async ledger() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return toMap((await client.query<SendRow>(sql)).rows);
      } finally {
        await client.end();
      }
    },
  };
}

/** Every ledger row settled 'sent'. */
export function assertAllSent(ledger: Map<string, { state: string }>): void {
  assert.deepEqual(
    [...ledger].filter(([, r]) => r.state !== 'sent').map(([id, r]) => `${id}: ${r.state}`),
    [],
    'every send in the ledger is completed',
  );
}
