/**
 * Event → sent latency of the long-running runner (`runForever` on `openSourceBackend`) on the
 * sources that capture beside the state: MariaDB (triggers into `skene_events`, polled every 1 s)
 * and Redis (keyspace notifications, then a drain that reads the hash), and Redis with
 * notifications off, where only the SCAN that reconciles every 60 s finds a new hash. The state
 * (pg-boss, the ledger) is a throwaway PostgreSQL database; the sender writes to the Resend
 * double with its rate limit out of the way. Each latency runs from the write's return (the
 * INSERT's commit, HSET's reply) to the double receiving the email, as bench/runner.ts measures
 * PostgreSQL's LISTEN/NOTIFY.
 *
 * MariaDB: a throwaway database on 127.0.0.1:3306 (SKENE_BENCH_MYSQL), created and dropped here.
 * Redis: a logical database of 127.0.0.1:6379 (SKENE_BENCH_REDIS) claimed as a plan's scratch is,
 * flushed at the end; notify-keyspace-events, which `skene migrate` may turn on and the
 * reconciliation case turns off while its runner opens, is put back as it was.
 */
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';
import { createSender, migrate, openSourceBackend, runForever, type LoadedConfig, type RunBackend } from '@skene/core';
import { createRedisScratch } from '../packages/core/src/sources/redis.js';
import { startResendDouble } from '../test/helpers/resend-double.js';
import { loops, onlyLoop, RUNNER_ENV, writeTemplates } from './runner-worker.js';
import { eventLatency, EVENT_GAP_MS, EVENTS, type LatencyProbe } from './runner.js';
import { fmt, percentile } from './stats.js';
import { dropDatabase, freshDatabase } from './_postgres.js';

const STATE_DB = 'skene_bench_runner_sources';
const MYSQL_SERVER = process.env.SKENE_BENCH_MYSQL ?? 'mysql://root@127.0.0.1:3306/';
const MYSQL_DB = 'skene_bench_runner_sources';
const REDIS_SERVER = process.env.SKENE_BENCH_REDIS ?? 'redis://127.0.0.1:6379';
/** capture-redis.ts's SCAN interval (not settable through openSourceBackend, as not through `skene run`). */
const RECONCILE_MS = 60_000;
/** capture-mysql.ts's default poll of skene_events. */
const POLL_MS = 1_000;
/** Hashes written while notifications are off: spread over one reconciliation period, each found by the next SCAN. */
const RECONCILE_EVENTS = 6;

/** What the runner needs besides the source: the config (the `signup` loop only) and its folder. */
interface Runner {
  config: LoadedConfig;
  dir: string;
}

interface Measurement extends Omit<LatencyProbe, 'double' | 'start'> {
  sourceUrl: string;
  /** Wraps the opening of the runner's backend (and so of its capture). */
  opening?: (open: () => Promise<RunBackend>) => Promise<RunBackend>;
}

/**
 * `runForever` on the source, its state in a fresh PostgreSQL database and its emails to a double
 * of its own (a measurement never counts another's deliveries), both gone after.
 */
async function measure(runner: Runner, { sourceUrl, opening = (open) => open(), ...probe }: Measurement): Promise<number[]> {
  const stateUrl = await freshDatabase(STATE_DB);
  const double = await startResendDouble({ latencyMs: 0 });
  const sender = createSender({ apiKey: double.apiKey, baseUrl: double.url, rateLimitPerSecond: 1_000_000, timeoutMs: 30_000 });
  try {
    return await eventLatency({
      ...probe,
      double,
      async start(signal, onPass) {
        const backend = await opening(() => openSourceBackend({ sourceUrl, stateUrl, cwd: runner.dir, config: runner.config }));
        try {
          await runForever({ config: runner.config, backend, sender, env: RUNNER_ENV, signal, onPass });
        } finally {
          await backend.close();
        }
      },
    });
  } finally {
    await double.close();
    await dropDatabase(STATE_DB);
  }
}

/** MariaDB: rows inserted one at a time into a throwaway database where `skene migrate` installed the triggers. */
async function mariadb(runner: Runner): Promise<number[]> {
  const server = await mysql.createConnection(MYSQL_SERVER);
  const url = new URL(MYSQL_SERVER);
  url.pathname = `/${MYSQL_DB}`;
  try {
    await server.query(`DROP DATABASE IF EXISTS \`${MYSQL_DB}\``);
    await server.query(`CREATE DATABASE \`${MYSQL_DB}\``);
    const conn = await mysql.createConnection(url.toString());
    try {
      await conn.query('CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(200) NOT NULL, name VARCHAR(200) NOT NULL) CHARACTER SET utf8mb4');
      await migrate({ config: runner.config, databaseUrl: url.toString() });
      return await measure(runner, {
        sourceUrl: url.toString(),
        // Written right after the last email, a row would always wait nearly the whole poll: the
        // runner waits 1 s after each pass. A random extra gap of up to 1 s lands rows anywhere in it.
        jitterMs: POLL_MS,
        write: async (i, to) => void (await conn.query('INSERT INTO users (id, email, name) VALUES (?, ?, ?)', [i, to, `Signup ${i}`])),
      });
    } finally {
      await conn.end();
    }
  } finally {
    await server.query(`DROP DATABASE IF EXISTS \`${MYSQL_DB}\``).catch(() => {});
    await server.end();
  }
}

interface RedisFigures {
  notified: number[];
  reconciled: number[];
}

/**
 * Redis: hashes `users:<id>` HSET one at a time in a scratch logical database, with keyspace
 * notifications on (`skene migrate`), then with them off. The capture decides whether to subscribe
 * when it opens, so they are off only while the runner opens (they are server-wide: other users of
 * this Redis lose none for longer than that) and the hashes are found by the SCAN alone.
 */
async function redis(runner: Runner): Promise<RedisFigures> {
  const scratch = await createRedisScratch(REDIS_SERVER);
  const client = new Redis(scratch.url);
  const notifyFlags = async () => ((await client.config('GET', 'notify-keyspace-events')) as string[])[1] ?? '';
  const original = await notifyFlags();
  const hset = (offset: number) => async (i: number, to: string) =>
    void (await client.hset(`users:${offset + i}`, { id: String(offset + i), email: to, name: `Signup ${i}` }));
  try {
    await migrate({ config: runner.config, databaseUrl: scratch.url });
    const notified = await measure(runner, { sourceUrl: scratch.url, write: hset(0) });
    const migrated = await notifyFlags();
    const reconciled = await measure(runner, {
      sourceUrl: scratch.url,
      async opening(open) {
        await client.config('SET', 'notify-keyspace-events', '');
        try {
          return await open();
        } finally {
          await client.config('SET', 'notify-keyspace-events', migrated);
        }
      },
      write: hset(1_000),
      events: RECONCILE_EVENTS,
      gapMs: RECONCILE_MS / RECONCILE_EVENTS,
      waitEachMs: 0,
      waitEndMs: RECONCILE_MS + 10_000,
    });
    return { notified, reconciled };
  } finally {
    await client.config('SET', 'notify-keyspace-events', original).catch(() => {});
    await client.quit();
    await scratch.drop();
  }
}

/** `  label (n/N …): p50 …, p95 …, worst …` — bench/runner.ts's style; then what bounds it. */
function report(label: string, samples: number[], events: number, bound: string): void {
  if (!samples.length) {
    console.log(`  ${label}: none of ${events} events was delivered — ${bound}`);
    return;
  }
  console.log(
    `  ${label} (${samples.length}/${events} delivered): p50 ${fmt(percentile(samples, 50))}, ` +
      `p95 ${fmt(percentile(samples, 95))}, worst ${fmt(Math.max(...samples))}\n      bounded by ${bound}`,
  );
}

export async function run(): Promise<void> {
  const dir = writeTemplates();
  const config = onlyLoop(loops(dir), 'signup');
  const runner: Runner = { config, dir };
  try {
    console.log(
      `  event → sent, runForever on openSourceBackend (state in PostgreSQL), each event written ${EVENT_GAP_MS} ms after the previous email ` +
        `(MariaDB: plus 0–${POLL_MS / 1000} s at random):`,
    );
    const maria = await mariadb(runner);
    report(
      'MariaDB, trigger capture polled',
      maria,
      EVENTS,
      `the ${POLL_MS / 1000} s poll of skene_events: a row waits 0–${POLL_MS / 1000} s for it, then one pass claims it and sends`,
    );
    const { notified, reconciled } = await redis(runner);
    report(
      'Redis, keyspace notifications',
      notified,
      EVENTS,
      'notification → drain: the subscriber wakes the runner, which HGETALLs the hash, enqueues and sends in one pass',
    );
    report(
      `Redis, notifications off (reconciliation only, ${RECONCILE_EVENTS} hashes ${RECONCILE_MS / RECONCILE_EVENTS / 1000} s apart)`,
      reconciled,
      RECONCILE_EVENTS,
      `the SCAN every ${RECONCILE_MS / 1000} s (capture-redis.ts): a hash waits 0–${RECONCILE_MS / 1000} s for it`,
    );
    console.log(`  machine load while measuring: ${loadavg()[0]!.toFixed(1)} (1-min average) on ${cpus().length} CPUs`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `node --import tsx bench/runner-sources.ts` runs it alone; bench/run.ts imports it and calls run().
if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
