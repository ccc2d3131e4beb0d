import { resolve } from 'node:path';
// Subpaths, not the whole of core: `skene run` should not load the editor analysis.
import { findConfig, loadConfig, readInstant, unsubscribeProblems } from '@skene/core/plan';
import { createMasker } from '@skene/core/report';
import {
  createSender,
  DEFAULT_OUTBOX_DIR,
  capturesBesideState,
  EMBEDDED_DIR,
  openEmbeddedRun,
  openSourceBackend,
  parseListenAddress,
  RunHalted,
  runForever,
  runOnce,
  startRunListener,
  type RunForeverOptions,
  type RunLogEntry,
  type RunSummary,
} from '@skene/core/run';
import { EXIT, UsageError, parseOptions } from '../io.js';
import type { Command } from '../main.js';
import { readCredentials } from './login.js';

const LOG_FORMATS = ['text', 'json'] as const;

export const runCommand: Command = {
  name: 'run',
  usage: `Usage: skene run [--config file] [--database-url url] [--once] [--at iso] [--show-recipients]
                 [--log-format text|json] [--listen host:port] [--seed file|dir]... [--backfill-since iso]
                 [--state-url url]

  --config           the config (default: skene.config.ts in the current folder)
  --database-url     the database \`skene migrate\` installed capture in: PostgreSQL, MySQL or
                     MariaDB (triggers), TiDB (watermarks), Redis or Upstash (keyspace events, SCAN)
                     default: DATABASE_URL, then database.url in the config
  --state-url        MySQL, TiDB and Redis sources: where the runner keeps its jobs and ledger,
                     shared by runners on several machines: postgres:// (pg-boss) or redis://,
                     rediss:// (BullMQ). Default: SKENE_STATE_URL; else a redis:// source's own
                     Redis; else the embedded state in .skene/state, for one machine
  --once             process everything due, then exit (a cron job, a serverless schedule, tests)
  --at               the clock for conditions and schedules, ISO 8601 (default: now), as \`skene plan --at\`
  --show-recipients  show recipient addresses in the log (default: masked, j***@example.com)
  --log-format       text (default): one line per decision; json: one JSON object per line
  --seed             with no database URL: run on the embedded PostgreSQL (.skene/pglite), made
                     and seeded from these files or folders on the first run (emails: the outbox
                     without a Resend key)
  --listen           also serve HTTP on host:port (not with --once): one-click unsubscribe links
                     (/unsubscribe/<token>, signed with SKENE_UNSUBSCRIBE_SECRET), Resend's webhooks
                     (POST /resend, Svix-signed with RESEND_WEBHOOK_SECRET) and, on PostgreSQL,
                     Hasura event trigger deliveries (POST /hasura, header x-skene-secret: the
                     value of SKENE_HASURA_SECRET)
  --backfill-since   also treat rows created since this instant (ISO 8601) as insert events: rows
                     from before \`skene migrate\`, which capture never saw; each is sent once

Sends what \`skene plan\` shows, each email exactly once: captured events and schedule occurrences
are evaluated with the plan's own code, and every send is recorded in skene.sends before and
after the call to Resend (the email id is its idempotency key). The key comes from
RESEND_API_KEY or \`skene login\`; without one, emails go to a local outbox folder.
SKENE_RESEND_RATE: requests per second to Resend (default 2, Resend's default team limit).
Exit status: 0 done, 1 it could not run (or the provider refused the key), 2 bad usage.`,
  async run(args, io) {
    const { values } = parse(args);
    const format = (values['log-format'] ?? 'text') as (typeof LOG_FORMATS)[number];
    if (!LOG_FORMATS.includes(format)) throw new UsageError(`--log-format must be text or json, not '${values['log-format']}'`);
    let at: Date | undefined;
    if (values.at !== undefined) {
      const read = readInstant(values.at);
      if (!('date' in read))
        throw new UsageError(`--at must be an ISO 8601 instant such as 2026-03-02T09:00:00Z, not '${values.at}'${read.problem ? `: ${read.problem}` : ''}`);
      at = read.date;
    }
    let backfillSince: Date | undefined;
    if (values['backfill-since'] !== undefined) {
      const read = readInstant(values['backfill-since']);
      if (!('date' in read))
        throw new UsageError(`--backfill-since must be an ISO 8601 instant such as 2026-03-01T00:00:00Z, not '${values['backfill-since']}'`);
      backfillSince = read.date;
    }
    if (values.listen !== undefined) {
      if (values.once) throw new UsageError('--listen takes deliveries while the runner runs: not with --once');
      try {
        parseListenAddress(values.listen);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    const config = await loadConfig(await findConfig(values.config, io.cwd));
    const databaseUrl = values['database-url'] ?? (io.env.DATABASE_URL || undefined) ?? config.database?.url;
    const stateUrl = values['state-url'] ?? (io.env.SKENE_STATE_URL || undefined);
    const besideState = capturesBesideState(databaseUrl);
    if (stateUrl && !besideState) {
      throw new UsageError('--state-url is for MySQL, TiDB and Redis sources: on PostgreSQL the state lives in the database itself');
    }
    // Everything that can be refused is, before a database is opened: an open one would keep the process alive.
    const apiKey = io.env.RESEND_API_KEY || readCredentials(io.env)?.resend?.apiKey || null;
    const sender = createSender({
      apiKey,
      baseUrl: io.env.RESEND_BASE_URL || undefined,
      rateLimitPerSecond: resendRate(io.env.SKENE_RESEND_RATE),
      outboxDir: resolve(io.cwd, DEFAULT_OUTBOX_DIR),
    });
    // No URL: the embedded PostgreSQL in .skene/pglite, seeded from --seed when it is made.
    const embedded = databaseUrl ? undefined : await openEmbeddedRun({ cwd: io.cwd, seedPaths: values.seed ?? [], config });
    const token = config.database?.token ?? io.env.UPSTASH_REDIS_REST_TOKEN ?? io.env.SKENE_DATABASE_TOKEN;
    const sourceBackend = besideState ? await openSourceBackend({ sourceUrl: databaseUrl!, token, stateUrl, cwd: io.cwd, config }) : undefined;
    if (sourceBackend) {
      io.stderr(`skene run: ${sourceBackend.label}${sourceBackend.oneMachine ? ' — one machine; pass --state-url to share the work between machines' : ''}\n`);
      for (const warning of sourceBackend.warnings) io.stderr(`skene run: ${warning}\n`);
    }
    if (embedded) {
      const how = embedded.seeded ? `made and seeded from ${(values.seed ?? []).join(', ')}` : 'reused: delete the folder to start over';
      io.stderr(`skene run: the embedded PostgreSQL in ${EMBEDDED_DIR} (${how}); one pass, as with --once\n`);
    }
    const mask = values['show-recipients'] ? (text: string) => text : createMasker();
    const write = (line: string) => io.stdout(`${line}\n`);
    if (sender.mode === 'outbox') {
      io.stderr(`skene run: no Resend key (RESEND_API_KEY or \`skene login\`): emails go to the outbox ${sender.target}, nothing is sent\n`);
      // With Resend the run refuses such loops; the outbox sends nothing, so it only says so.
      for (const problem of unsubscribeProblems(config, io.env)) io.stderr(`skene run: ${problem}\n`);
    }
    const log = (entry: RunLogEntry) => write(format === 'json' ? JSON.stringify(maskEntry(entry, mask)) : mask(textLine(entry)));
    const options = { config, databaseUrl, sender, env: io.env, log, backfillSince };
    try {
      if (embedded || !databaseUrl) {
        const summary = await runOnce({ ...options, at, backend: embedded });
        if (format === 'text') write(summaryLine(summary));
        return EXIT.ok;
      }
      if (values.once) {
        const summary = await runOnce({ ...options, at, backend: sourceBackend });
        if (format === 'text') write(summaryLine(summary));
        return EXIT.ok;
      }
      const listener = values.listen
        ? await startRunListener({
            // PostgreSQL: Hasura's events and consent in the database; elsewhere consent in the runner's state.
            ...(sourceBackend ? { store: sourceBackend.store } : { databaseUrl }),
            listen: values.listen,
            hasuraSecret: io.env.SKENE_HASURA_SECRET || undefined,
            unsubscribeSecret: io.env.SKENE_UNSUBSCRIBE_SECRET || undefined,
            webhookSecret: io.env.RESEND_WEBHOOK_SECRET || undefined,
            log: (line) => write(mask(line)),
          })
        : undefined;
      if (listener) io.stderr(listeningLines(listener.url, io.env, !sourceBackend));
      try {
        return await untilStopped({ ...options, at, backend: sourceBackend }, write);
      } finally {
        await listener?.close();
      }
    } catch (error) {
      if (error instanceof RunHalted) {
        io.stderr(`skene run: ${mask(error.message)}\n`);
        return EXIT.errors;
      }
      throw new Error(mask(error instanceof Error ? error.message : String(error)), { cause: error });
    } finally {
      await embedded?.close();
      await sourceBackend?.close();
    }
  },
};

/** The long-running mode, until SIGTERM or SIGINT, which end it after the batch in hand. */
async function untilStopped(options: Omit<RunForeverOptions, 'signal'>, write: (line: string) => void): Promise<number> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    await runForever({ ...options, signal: controller.signal });
    write('stopped (SIGTERM/SIGINT): the work in flight was finished');
    return EXIT.ok;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
}

/** What `--listen` serves, and which secret each endpoint still lacks (it refuses every request then). */
function listeningLines(url: string, env: Record<string, string | undefined>, hasura: boolean): string {
  const lines = [
    `${url}/unsubscribe/<token>${env.SKENE_UNSUBSCRIBE_SECRET ? '' : ' (no SKENE_UNSUBSCRIBE_SECRET: every link is refused)'}`,
    `${url}/resend${env.RESEND_WEBHOOK_SECRET ? '' : " (no RESEND_WEBHOOK_SECRET: every webhook is refused; set it to the webhook's signing secret)"}`,
    ...(hasura ? [`${url}/hasura${env.SKENE_HASURA_SECRET ? '' : ' (no SKENE_HASURA_SECRET: every delivery is refused)'}`] : []),
  ];
  return lines.map((line) => `skene run: listening on ${line}\n`).join('');
}

/** Resend's limit is per team and plan: 2 requests/s by default, more on request. */
function resendRate(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const rate = Number(value);
  if (!Number.isFinite(rate) || rate <= 0) throw new UsageError(`SKENE_RESEND_RATE must be a positive number of requests per second, not '${value}'`);
  return rate;
}

function textLine(e: RunLogEntry): string {
  const where = e.emailId ?? `${e.loop}/${e.step}${e.key !== undefined ? ` key ${e.key}` : ''}`;
  const to = e.to ? ` to ${e.to}` : '';
  switch (e.decision) {
    case 'sent':
      return `sent     ${where}${to}${e.providerId ? ` (id ${e.providerId})` : ''}`;
    case 'waiting':
      return `waiting  ${where}: ${e.reason}${e.nextCheckAt ? `; next check ${e.nextCheckAt}` : ''}`;
    default:
      return `${e.decision.padEnd(8)} ${where}${to}${e.reason ? `: ${e.reason}` : ''}`;
  }
}

function maskEntry(entry: RunLogEntry, mask: (text: string) => string): RunLogEntry {
  return Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, typeof v === 'string' ? mask(v) : v])) as unknown as RunLogEntry;
}

function summaryLine(s: RunSummary): string {
  const c = s.counts;
  const parts = [`${c.sent} sent`, `${c.waiting} waiting`, `${c.expired} expired`, `${c.failed} failed`, `${c.skipped} skipped`];
  // Goal outcomes only when a pass settled some: runs without goals print as before.
  if (c.converted || c['not-converted']) parts.push(`${c.converted} converted`, `${c['not-converted']} not converted`);
  const paused = s.paused.length ? `; paused: ${s.paused.map((p) => `${p.loop} (${p.reason})`).join(', ')}` : '';
  const pending = s.pending ? `; ${s.pending} job(s) retry later` : '';
  return `run at ${s.at}: ${parts.join(', ')}${paused}${pending}`;
}

function parse(args: string[]) {
  return parseOptions({
    args,
    allowPositionals: false,
    options: {
      config: { type: 'string' },
      'database-url': { type: 'string' },
      once: { type: 'boolean' },
      at: { type: 'string' },
      'show-recipients': { type: 'boolean' },
      'log-format': { type: 'string' },
      listen: { type: 'string' },
      seed: { type: 'string', multiple: true },
      'backfill-since': { type: 'string' },
      'state-url': { type: 'string' },
    },
  });
}
