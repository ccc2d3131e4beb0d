/**
 * The live runner against the real PostgreSQL (a throwaway `skene_bench_runner` database, created
 * and dropped here) and the Resend double, the sender's rate limit set out of the way. Prints:
 * event → sent latency through LISTEN/NOTIFY with the long-running runner (from the INSERT's
 * commit to the double receiving the email; target p95 ≤ 250 ms); a schedule step of 10,000
 * recipients sent through the batch endpoint, emails/s with one worker and with two (targets
 * ≥ 2,000 emails/s, two workers ≥ 1.6× one); and the runner's CPU time per email.
 *
 * Each worker of the schedule step is a process of its own (bench/runner-worker.ts), as several
 * `skene run` on several machines are: two runOnce in this one thread could never use a second
 * core. The double stays here, so its CPU is this process's and not the workers'. The step is
 * measured twice: with a double answering at once (CPU-bound: workers, PostgreSQL and the double
 * share the machine's cores) and with 50 ms per request, nearer a round trip to Resend's API.
 *
 * Then the same step with the state and jobs on Redis (openRedisState: the ledger in Redis keys,
 * the jobs in BullMQ) in a logical database of 127.0.0.1:6379 (SKENE_BENCH_REDIS) claimed as a
 * plan's scratch is and flushed after, the data still read from the PostgreSQL (a read-only
 * source): BullMQ's figures beside pg-boss's. Every occurrence is checked against the double:
 * each of the 10,000 recipients delivered exactly once, every delivery under an idempotency key,
 * so that a figure is that of a correct run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createSender, migrate, runForever, type LoadedConfig, type Sender } from '@skene/core';
import { createRedisScratch } from '../packages/core/src/sources/redis.js';
import { startResendDouble, type DeliveredEmail, type ResendDouble } from '../test/helpers/resend-double.js';
import { loops, onlyLoop, RECIPIENTS, RUNNER_ENV, writeTemplates, type GoMessage, type WorkerMessage, type WorkerSetup } from './runner-worker.js';
import { fmt, percentile } from './stats.js';
import { admin, dropDatabase, freshDatabase } from './_postgres.js';

const DB = 'skene_bench_runner';
export const EVENTS = 40;
export const EVENT_GAP_MS = 150;
const WORKER = fileURLToPath(new URL('./runner-worker.ts', import.meta.url));
const MEASURE_TIMEOUT_MS = 300_000;
const REDIS_SERVER = process.env.SKENE_BENCH_REDIS ?? 'redis://127.0.0.1:6379';

const SEED = `
CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL);
INSERT INTO users SELECT i, 'user' || i || '@example.com', 'User ' || i FROM generate_series(1, ${RECIPIENTS}) i;
ANALYZE;`;

/** Calls `onDelivered` the moment the double records a delivery (before it answers). */
function watchDeliveries(double: ResendDouble, onDelivered: (d: DeliveredEmail, at: number) => void): void {
  const push = double.delivered.push.bind(double.delivered);
  double.delivered.push = (...items: DeliveredEmail[]) => {
    const at = performance.now();
    for (const d of items) onDelivered(d, at);
    return push(...items);
  };
}

/** One event → sent measurement: how its long-running runner starts, and how it writes an event. */
export interface LatencyProbe {
  double: ResendDouble;
  /** Runs the runner until `signal` aborts, calling `onPass` after each pass (the first: it is ready). */
  start(signal: AbortSignal, onPass: () => void): Promise<void>;
  /** Writes event `i`, whose email goes to `to`; resolves once it is committed. */
  write(i: number, to: string): Promise<void>;
  events?: number;
  gapMs?: number;
  /** A random extra gap, up to this, so that writes do not fall in step with a polling runner's passes (default 0). */
  jitterMs?: number;
  /** How long each event may take to arrive before the gap and the next write (default 3 s; 0: do not wait). */
  waitEachMs?: number;
  /** After the last write, how long the undelivered ones may still take (default 3 s). */
  waitEndMs?: number;
}

/**
 * Events written one at a time (`gapMs` apart, plus up to `jitterMs`, each awaited up to `waitEachMs`); each latency from
 * the write's return (its commit) to the double's delivery. Stops the runner before returning.
 */
export async function eventLatency(probe: LatencyProbe): Promise<number[]> {
  const { events = EVENTS, gapMs = EVENT_GAP_MS, jitterMs = 0, waitEachMs = 3_000, waitEndMs = 3_000 } = probe;
  const committed = new Map<string, number>();
  const samples: number[] = [];
  let arrived: (() => void) | undefined;
  watchDeliveries(probe.double, (d, at) => {
    const t0 = committed.get(String(d.email.to));
    if (t0 !== undefined) samples.push(at - t0);
    arrived?.();
  });
  const deliveredAtLeast = (count: number, ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        arrived = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      arrived = () => samples.length >= count && done();
      arrived();
    });
  const stop = new AbortController();
  let firstPass: () => void;
  const ready = new Promise<void>((resolve) => (firstPass = resolve));
  const runner = probe.start(stop.signal, () => firstPass());
  const stopped = runner.then(() => Promise.reject(new Error('the runner stopped before its first pass')));
  stopped.catch(() => {});
  try {
    await Promise.race([ready, stopped]); // its state and capture are in place: the runner waits for a change
    for (let i = 1; i <= events; i++) {
      const to = `signup${i}@example.com`;
      await probe.write(i, to);
      committed.set(to, performance.now());
      if (waitEachMs > 0) await deliveredAtLeast(i, waitEachMs);
      await new Promise((resolve) => setTimeout(resolve, gapMs + Math.random() * jitterMs));
    }
    await deliveredAtLeast(events, waitEndMs);
  } finally {
    stop.abort();
    await runner.catch(() => {});
  }
  return samples;
}

/** (a) Rows inserted one at a time (users beyond the digest's), through LISTEN/NOTIFY. */
async function latency(url: string, config: LoadedConfig, sender: Sender, double: ResendDouble): Promise<number[]> {
  const only = onlyLoop(config, 'signup');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await eventLatency({
      double,
      start: (signal, onPass) => runForever({ config: only, databaseUrl: url, sender, env: RUNNER_ENV, signal, onPass }),
      write: async (i, to) => {
        await client.query('INSERT INTO users (id, email, name) VALUES ($1, $2, $3)', [RECIPIENTS + i, to, `Signup ${i}`]);
      },
    });
  } finally {
    await client.end();
  }
}

/** The next message from a worker; its exit, or silence past `timeoutMs`, is an error. */
function next(child: ChildProcess, timeoutMs: number): Promise<Extract<WorkerMessage, { type: 'ready' | 'result' }>> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return reject(new Error('a worker process has exited'));
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (m: WorkerMessage) => {
      done();
      if (m.type === 'error') reject(new Error(`a worker failed: ${m.message}`));
      else resolve(m);
    };
    const onExit = (code: number | null, signal: string | null) => {
      done();
      reject(new Error(`a worker process exited (${signal ?? code}) before answering`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`a worker did not answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

function stopWorkers(children: ChildProcess[]): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill();
}

/** Forks `count` workers (the parent's execArgv: tsx, and --conditions=source when given) and waits until each has loaded and says 'ready'. */
async function startWorkers(setup: WorkerSetup, count: number): Promise<ChildProcess[]> {
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < count; i++) {
      children.push(fork(WORKER, [JSON.stringify(setup)], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    }
    await Promise.all(children.map((child) => next(child, 60_000)));
    return children;
  } catch (error) {
    stopWorkers(children);
    throw error;
  }
}

/** CPU time every process on the machine has used (all cores, busy states), in ms: the workers, PostgreSQL and the double together. */
function machineBusyMs(): number {
  return cpus().reduce((n, c) => n + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0);
}

/**
 * (b, c) One schedule occurrence of RECIPIENTS emails, worked by the given (ready) workers at once:
 * timed from 'go' to the last result. The bench process's own CPU meanwhile is the double's.
 */
async function occurrence(children: ChildProcess[], at: Date) {
  const machine = machineBusyMs();
  const benchCpu = process.cpuUsage();
  const t0 = performance.now();
  const results = Promise.all(children.map((child) => next(child, MEASURE_TIMEOUT_MS)));
  for (const child of children) child.send({ type: 'go', at: at.toISOString() } satisfies GoMessage);
  const runs = (await results) as Extract<WorkerMessage, { type: 'result' }>[];
  const ms = performance.now() - t0;
  const { user, system } = process.cpuUsage(benchCpu);
  const machineMs = machineBusyMs() - machine;
  const sent = runs.reduce((n, r) => n + r.sent, 0);
  const cpuMs = runs.reduce((n, r) => n + r.cpuMs, 0);
  return {
    sent,
    perWorker: runs.map((r) => r.sent),
    ms,
    perSecond: sent / (ms / 1000),
    cpuMsPerEmail: cpuMs / Math.max(1, sent),
    doubleCpuMsPerEmail: (user + system) / 1000 / Math.max(1, sent),
    machineCpuMsPerEmail: machineMs / Math.max(1, sent),
  };
}

type Measure = Awaited<ReturnType<typeof occurrence>>;

/** What the double received in one occurrence: exact when every recipient got one email, each under an idempotency key. */
function deliveries(double: ResendDouble) {
  const recipients = new Set(double.delivered.map((d) => String(d.email.to))).size;
  const keys = new Set(double.delivered.map((d) => d.idempotencyKey)).size;
  const keyed = double.delivered.every((d) => d.idempotencyKey !== undefined);
  return { delivered: double.delivered.length, recipients, keys, exact: double.delivered.length === RECIPIENTS && recipients === RECIPIENTS && keyed };
}

interface Throughput {
  url: string;
  dir: string;
  latencyMs: number;
  /** Each measurement's occurrence: `${day}T${hour}:00:30Z`, six hours, so that email ids never collide. */
  day: string;
  hours: string[];
  /** Where the workers keep the state and jobs (bench/runner-worker.ts). */
  state: 'postgres' | 'redis';
  redisUrl?: string;
}

type Figures = { one: Measure; two: Measure; keys: number[] };

/**
 * Against a double answering after `latencyMs`: two long-lived worker processes, each warmed up on
 * an occurrence of its own, then one and two workers in alternation, best of two each. Every
 * measurement is its own hourly occurrence. One that did not deliver each email exactly once is
 * reported and not counted; none correct for a number of workers is an error.
 */
async function throughput({ url, dir, latencyMs, day, hours, state, redisUrl }: Throughput): Promise<Figures> {
  const double = await startResendDouble({ latencyMs });
  let children: ChildProcess[] = [];
  try {
    children = await startWorkers({ url, state, redisUrl, dir, apiKey: double.apiKey, baseUrl: double.url }, 2);
    const plan = [[children[0]!], [children[1]!], [children[0]!], children, [children[0]!], children];
    const best: Record<number, Measure | undefined> = {};
    const keys: number[] = [];
    for (const [i, workers] of plan.entries()) {
      double.delivered.length = 0; // the double keeps what it delivered: forget it between runs
      double.forgetKeys();
      const r = await occurrence(workers, new Date(`${day}T${hours[i]}:00:30Z`));
      const got = deliveries(double);
      if (r.sent !== RECIPIENTS || !got.exact) {
        console.log(
          `  !! ${state}, ${latencyMs} ms, ${workers.length} worker(s): sent ${r.sent} of ${RECIPIENTS}; the double got ${got.delivered} ` +
            `emails for ${got.recipients} recipients under ${got.keys} idempotency keys (not counted)`,
        );
        continue;
      }
      keys.push(got.keys);
      if (i >= 2 && (!best[workers.length] || r.ms < best[workers.length]!.ms)) best[workers.length] = r;
    }
    if (!best[1] || !best[2]) throw new Error(`${state}, ${latencyMs} ms: no occurrence delivered each email exactly once`);
    return { one: best[1], two: best[2], keys };
  } finally {
    stopWorkers(children);
    await double.close();
  }
}

/** The step measured against a double answering at once and one answering in 50 ms. */
interface Step {
  fast: Figures;
  slow: Figures;
}

/** Both measurements on one state, their twelve occurrences in the hours of `day`. */
async function stepOn(options: Pick<Throughput, 'url' | 'dir' | 'state' | 'redisUrl' | 'day'>): Promise<Step> {
  const fast = await throughput({ ...options, latencyMs: 0, hours: ['07', '08', '09', '10', '11', '12'] });
  const slow = await throughput({ ...options, latencyMs: 50, hours: ['13', '14', '15', '16', '17', '18'] });
  return { fast, slow };
}

/** The step with the state and jobs on a scratch logical database of the Redis server, flushed after. */
async function bullmqStep(url: string, dir: string): Promise<Step> {
  const scratch = await createRedisScratch(REDIS_SERVER);
  try {
    return await stepOn({ url, dir, state: 'redis', redisUrl: scratch.url, day: '2026-03-03' });
  } finally {
    await scratch.drop();
  }
}

const micro = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;

/** The schedule step's figures, pg-boss's and BullMQ's side by side (or why BullMQ's could not be measured). */
function printSteps(pgboss: Step, bullmq: Step | string): void {
  const rate = (r: Measure) => `${fmt(r.ms)} → ${Math.round(r.perSecond).toLocaleString('en-US')} emails/s`;
  const line = (label: string, latencyMs: number, { one, two }: Figures) =>
    `    ${`${label},`.padEnd(30)} double answering in ${latencyMs} ms: one worker ${rate(one)}, two workers ${rate(two)} = ` +
    `${(two.perSecond / one.perSecond).toFixed(2)}× one; sent per worker ${two.perWorker.map((n) => n.toLocaleString('en-US')).join(' / ')}`;
  const steps: [string, Step][] = [['pg-boss (state in PostgreSQL)', pgboss]];
  if (typeof bullmq !== 'string') steps.push(['BullMQ (state on Redis)', bullmq]);
  console.log(
    `  schedule step, ${RECIPIENTS.toLocaleString('en-US')} recipients (batch endpoint, 100 per request), each worker its own ` +
      `process (runOnce), best of two (targets: one worker ≥ 2,000 emails/s, two ≥ 1.6× one):`,
  );
  for (const latency of ['fast', 'slow'] as const) {
    for (const [label, step] of steps) console.log(line(label, latency === 'fast' ? 0 : 50, step[latency]));
  }
  if (typeof bullmq === 'string') console.log(`    BullMQ (state on Redis): could not run: ${bullmq}`);
  const keys = [...new Set(steps.flatMap(([, s]) => [...s.fast.keys, ...s.slow.keys]))].sort((a, b) => a - b);
  console.log(
    `  each counted occurrence: the double received ${RECIPIENTS.toLocaleString('en-US')} emails for ${RECIPIENTS.toLocaleString('en-US')} ` +
      `distinct recipients, each once, under ${keys.join(' or ')} distinct idempotency keys (one per batch request)`,
  );
  const cpu = (latencyMs: number, { one, two }: Figures) =>
    `${latencyMs} ms: one worker ${micro(one.cpuMsPerEmail)}, two ${micro(two.cpuMsPerEmail)} (double ${micro(one.doubleCpuMsPerEmail)})`;
  console.log(`  runner CPU per email (the worker processes' cpuUsage summed; the double, in the bench process, is not included now):`);
  for (const [label, step] of steps) console.log(`    ${`${label}:`.padEnd(30)} ${cpu(0, step.fast)}; ${cpu(50, step.slow)}`);
  // On a machine where the workers, PostgreSQL (or Redis) and the double share few cores, their CPU is the ceiling, whatever the number of workers.
  for (const [label, { fast }] of steps) {
    const all = fast.one.machineCpuMsPerEmail;
    console.log(
      `  ${label}: the whole machine's CPU per email at 0 ms (workers, databases, double): ${micro(all)}, so ${cpus().length} cores ` +
        `send at most ~${Math.round((cpus().length / all) * 1000).toLocaleString('en-US')} emails/s whatever the workers; one worker already reaches ` +
        `${Math.round(((fast.one.perSecond * all) / 1000 / cpus().length) * 100)}% of that`,
    );
  }
}

export async function run(): Promise<void> {
  const url = await freshDatabase(DB);
  const dir = writeTemplates();
  const config = loops(dir);
  const double = await startResendDouble({ latencyMs: 0 });
  const sender = createSender({ apiKey: double.apiKey, baseUrl: double.url, rateLimitPerSecond: 1_000_000, timeoutMs: 30_000 });
  try {
    await admin((c) => c.query(SEED), url);
    await migrate({ config, databaseUrl: url });

    const samples = await latency(url, config, sender, double);
    if (!samples.length) throw new Error('no event was delivered within 3 s of its insert');
    console.log(
      `  event → sent (LISTEN/NOTIFY, runForever, ${samples.length}/${EVENTS} rows inserted ${EVENT_GAP_MS} ms apart): ` +
        `p50 ${fmt(percentile(samples, 50))}, p95 ${fmt(percentile(samples, 95))}, worst ${fmt(Math.max(...samples))} (target p95 ≤ 250 ms)`,
    );

    const pgboss = await stepOn({ url, dir, state: 'postgres', day: '2026-03-02' });
    let bullmq: Step | string;
    try {
      bullmq = await bullmqStep(url, dir);
    } catch (error) {
      bullmq = error instanceof Error ? error.message : String(error); // pg-boss's figures still stand
    }
    printSteps(pgboss, bullmq);
    console.log(`  machine load while measuring: ${loadavg()[0]!.toFixed(1)} (1-min average) on ${cpus().length} CPUs`);
  } finally {
    await double.close();
    rmSync(dir, { recursive: true, force: true });
    await dropDatabase(DB);
  }
}
