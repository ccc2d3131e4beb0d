/**
 * The runner's state as a plan reads it (`skene plan --state-url`): its suppressions, so the plan
 * leaves out who the run will leave out. Read only — a plan never writes: PostgreSQL sessions are
 * `default_transaction_read_only`, Redis is only asked HMGET, and an embedded state is copied to a
 * temporary folder and opened there, never in place (a runner may hold it). Nothing is created: a
 * state no runner made suppresses no one.
 *
 * Which state, as `skene run` picks it (backend-source.ts): `--state-url` (postgres:// or
 * redis://); else a PostgreSQL or Redis source's own database; else, beside a MySQL, TiDB or
 * Upstash source, the embedded `.skene/state`; with no URL at all, `.skene/pglite` — each only
 * if it exists. An explicit `--state-url` that cannot be read fails the plan; a default one is a
 * warning in the report, and the plan goes on without suppressions.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RecipientState } from '../plan/recipient-state.js';
import { importPglite } from '../sources/pglite-module.js';
import { withSmallBuffers } from '../sources/pglite-snapshot.js';
import { maskUrl, passwordOf, redact, sourceKindOf } from '../sources/url.js';
import { EMBEDDED_STATE_DIR } from './backend-source.js';
import { EMBEDDED_DIR } from './embedded.js';
import { S, type Queryable } from './state.js';
import { sentSincePostgres } from './frequency-cap-postgres.js';
import { sentSinceRedis } from './state-store-redis-cap.js';
import { postgresConsent } from './state-store-postgres-consent.js';
import { redisConsent } from './state-store-redis-consent.js';
import { DEFAULT_STATE_PREFIX } from './state-store-redis.js';

export interface PlanState {
  state: RecipientState;
  /** Where the suppressions come from, without secrets. */
  label: string;
  /** Why a default state could not be read (the plan then has no suppressions). */
  warnings: string[];
  close(): Promise<void>;
}

type Reader = Pick<RecipientState, 'suppressed' | 'sentSince'> & { label: string; close(): Promise<void> };

async function postgresReader(url: string): Promise<Reader> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 1, application_name: 'skene plan (state)', options: '-c default_transaction_read_only=on' });
  pool.on('error', () => {});
  const consent = postgresConsent(pool as unknown as Queryable, S);
  return {
    suppressed: consent.suppressed,
    sentSince: (input) => sentSincePostgres(pool as unknown as Queryable, input),
    label: maskUrl(url),
    close: () => pool.end(),
  };
}

async function redisReader(url: string): Promise<Reader> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  redis.on('error', () => {});
  const consent = redisConsent(redis, DEFAULT_STATE_PREFIX);
  return {
    suppressed: consent.suppressed,
    sentSince: (input) => sentSinceRedis(redis, DEFAULT_STATE_PREFIX, input),
    label: maskUrl(url),
    close: async () => void (await redis.quit().catch(() => redis.disconnect())),
  };
}

/** An embedded state, copied aside and opened there: the runner's folder is never touched. */
async function embeddedReader(dir: string): Promise<Reader> {
  const copy = mkdtempSync(join(tmpdir(), 'skene-plan-state-'));
  cpSync(dir, copy, { recursive: true });
  const { PGlite } = await importPglite();
  // Read for a few queries and thrown away: small buffers start faster (withSmallBuffers).
  const db = await PGlite.create({ dataDir: copy, startParams: withSmallBuffers(PGlite.defaultStartParams) });
  const queryable = { query: async (sql: string, params?: unknown[]) => ({ ...(await db.query(sql, params)), rowCount: null }) } as Queryable;
  const consent = postgresConsent(queryable, S);
  return {
    suppressed: consent.suppressed,
    sentSince: (input) => sentSincePostgres(queryable, input),
    label: dir,
    close: async () => {
      await db.close().catch(() => {});
      rmSync(copy, { recursive: true, force: true });
    },
  };
}

async function readerFor(input: { stateUrl?: string; url?: string; cwd: string }): Promise<Reader | undefined> {
  const target = input.stateUrl?.trim() || input.url?.trim();
  if (target) {
    const kind = sourceKindOf(target);
    if (kind === 'postgres') return postgresReader(target);
    if (kind === 'redis') return redisReader(target);
    if (input.stateUrl?.trim())
      throw new Error(`--state-url ${maskUrl(target)}: the runner's state is in PostgreSQL (postgres://) or Redis (redis://, rediss://)`);
  }
  const dir = resolve(input.cwd, input.url?.trim() ? EMBEDDED_STATE_DIR : EMBEDDED_DIR);
  return existsSync(join(dir, 'PG_VERSION')) ? embeddedReader(dir) : undefined;
}

/**
 * What `planProject` calls once it knows the plan's source URL: the state to read suppressions
 * from, or undefined when there is none.
 */
export function planStateOpener(options: { stateUrl?: string; cwd: string }) {
  return async ({ url }: { url: string | undefined }): Promise<PlanState | undefined> => {
    const explicit = !!options.stateUrl?.trim();
    const secrets = [options.stateUrl, passwordOf(options.stateUrl), url, passwordOf(url)];
    const reader = await readerFor({ stateUrl: options.stateUrl, url, cwd: options.cwd });
    if (!reader) return undefined;
    const warnings: string[] = [];
    // A default state that cannot be read is a warning (once), an explicit one an error.
    const guarded =
      <I, R>(read: (input: I) => Promise<Map<string, R>>, what: string) =>
      async (input: I): Promise<Map<string, R>> => {
        try {
          return await read(input);
        } catch (error) {
          const message = `could not read the runner's ${what} in ${reader.label}: ${redact((error as Error).message, secrets)}`;
          if (explicit) throw new Error(message, { cause: error });
          if (!warnings.length) warnings.push(`${message}; the plan does not know the runner's state (pass --state-url to require it)`);
          return new Map();
        }
      };
    const state: RecipientState = {
      suppressed: guarded(reader.suppressed, 'suppressions'),
      sentSince: guarded(reader.sentSince, 'earlier sends'),
    };
    return { state, label: reader.label, warnings, close: reader.close };
  };
}
