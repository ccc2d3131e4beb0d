/**
 * One `skene run --once` worker of bench/runner.ts, in a process of its own, as a second
 * `skene run` on another machine would be: its own event loop, its own pg and pg-boss (or Redis
 * and BullMQ) connections, its own sender. The bench forks it (bench/runner.ts `startWorkers`) with
 * the database, where the state goes, the templates' folder and the double's address; it loads @skene/core, builds the
 * config and the sender, says 'ready', and then works one schedule occurrence per 'go' (the
 * clock `at`), answering with what it sent and the CPU it used. Loading and setup happen before
 * 'ready' so that the bench measures the work, not the process start: a long-running runner does
 * not restart per occurrence.
 *
 * It also holds the bench's config (both loops), so the bench and its workers build it once, the
 * same way. Importing this module does nothing else: `main()` runs only when it is the forked
 * entry point (bench/run.ts imports every bench/*.ts file).
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeConfig } from '@skene/sdk';
import { createSender, openRedisState, openSource, runOnce, type LoadedConfig, type RunBackend, type RunOnceOptions } from '@skene/core';

export const RECIPIENTS = 10_000;
const FROM = 'Acme <hello@acme.example>';
/**
 * The environment a production runner has: the digest is not transactional, so each email carries
 * a signed one-click unsubscribe link, which `skene run` refuses to send without.
 */
export const RUNNER_ENV = { SKENE_UNSUBSCRIBE_SECRET: 'bench-unsubscribe-secret-0123456789abcdef', SKENE_PUBLIC_URL: 'https://skene.bench.example' };

/** What the bench gives a worker when it forks it (one JSON argument). */
export interface WorkerSetup {
  /** The PostgreSQL the loops' data is read from (and, with `state: 'postgres'`, the state's home). */
  url: string;
  /** 'postgres': the state and pg-boss's jobs beside the data; 'redis': the ledger and BullMQ's jobs on `redisUrl`. */
  state: 'postgres' | 'redis';
  redisUrl?: string;
  dir: string;
  apiKey: string;
  baseUrl: string;
}

/** bench → worker: work the occurrence at `at` (an ISO time). */
export interface GoMessage {
  type: 'go';
  at: string;
}

/** worker → bench. `cpuMs` is the worker's process.cpuUsage (user + system) during runOnce. */
export type WorkerMessage = { type: 'ready' } | { type: 'result'; sent: number; cpuMs: number; ms: number } | { type: 'error'; message: string };

/** Writes the two templates into a fresh temporary folder (the bench removes it) and returns it. */
export function writeTemplates(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-bench-runner-'));
  mkdirSync(join(dir, 'emails'));
  writeFileSync(join(dir, 'emails', 'welcome.html'), '<html><head><title>Welcome, {{name}}</title></head><body><h1>Hi {{name}}</h1></body></html>');
  writeFileSync(
    join(dir, 'emails', 'digest.html'),
    '<html><head><title>Your week, {{name}}</title></head><body><p>Hi {{name}}, here is your digest.</p></body></html>',
  );
  return dir;
}

/** `signup` welcomes each new users row at once (a database trigger); `digest` writes to the seeded users hourly (a schedule). */
export function loops(dir: string): LoadedConfig {
  const email = (template: string) => ({ type: 'email' as const, provider: 'resend' as const, template, personalization: { name: '{{user.name}}' } });
  const config = normalizeConfig({
    email: { from: FROM },
    loops: [
      {
        id: 'signup',
        type: 'activation',
        opinion: 'Welcome every signup',
        steps: [{ trigger: { type: 'database', table: 'users', event: 'insert' }, action: email('welcome') }],
      },
      {
        id: 'digest',
        type: 'retention',
        opinion: 'An hourly digest to every user',
        steps: [
          {
            trigger: { type: 'schedule', cron: '0 * * * *' },
            condition: { type: 'query', query: `SELECT id, email, name FROM users WHERE id <= ${RECIPIENTS}` },
            action: email('digest'),
          },
        ],
      },
    ],
  });
  return { ...config, file: join(dir, 'skene.config.ts'), dir };
}

/** The config with one loop only: each measurement works one loop, untroubled by the other. */
export function onlyLoop(config: LoadedConfig, id: string): LoadedConfig {
  return { ...config, loops: config.loops.filter((l) => l.id === id) };
}

/**
 * The Redis backend, opened per occurrence as runOnce opens PostgreSQL's when it is given a URL
 * (`skene run --once --state-url redis://…`): the data from the read-only source, the rest on Redis.
 * Undefined for PostgreSQL: runOnce opens it from `databaseUrl` itself.
 */
async function openBackend(setup: WorkerSetup): Promise<RunBackend | undefined> {
  if (setup.state === 'postgres') return undefined;
  if (!setup.redisUrl) throw new Error('state redis: no redisUrl');
  const state = await openRedisState({ url: setup.redisUrl });
  try {
    const source = await openSource({ url: setup.url });
    return {
      label: `${source.label} (state: ${state.label})`,
      store: state.store,
      source,
      startJobs: state.startJobs,
      secrets: state.secrets,
      close: async () => {
        await source.close().catch(() => {});
        await state.close();
      },
    };
  } catch (error) {
    await state.close();
    throw error;
  }
}

/** One occurrence at `at` on a backend opened for it (see openBackend), closed after. */
async function occurrence(setup: WorkerSetup, run: Omit<RunOnceOptions, 'databaseUrl' | 'backend'>) {
  const backend = await openBackend(setup);
  try {
    return await runOnce({ ...run, databaseUrl: setup.url, backend });
  } finally {
    await backend?.close();
  }
}

function main(setup: WorkerSetup): void {
  // The bench gone (it crashed or was killed, maybe before this worker was ready), nothing is
  // left to report to: exit rather than linger as an orphan.
  const send = (message: WorkerMessage) => (process.connected ? process.send!(message) : process.exit(0));
  process.on('disconnect', () => process.exit(0));
  const config = onlyLoop(loops(setup.dir), 'digest');
  const sender = createSender({ apiKey: setup.apiKey, baseUrl: setup.baseUrl, rateLimitPerSecond: 1_000_000, timeoutMs: 30_000 });
  process.on('message', (message: GoMessage) => {
    if (message.type !== 'go') return;
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    occurrence(setup, { config, sender, env: RUNNER_ENV, at: new Date(message.at) }).then(
      (summary) => {
        const { user, system } = process.cpuUsage(cpu);
        send({ type: 'result', sent: summary.counts.sent, cpuMs: (user + system) / 1000, ms: performance.now() - t0 });
      },
      (error: unknown) => send({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
  });
  send({ type: 'ready' });
}

if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  main(JSON.parse(process.argv[2] ?? '{}') as WorkerSetup);
}
