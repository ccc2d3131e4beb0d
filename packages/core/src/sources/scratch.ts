/**
 * Seeds never touch the database a URL names. A plan given seed files and a URL creates a scratch
 * database on that server (`skene_scratch_<hex>` on PostgreSQL and MySQL, an empty logical database
 * on Redis), seeds it, plans in it, and drops it afterwards: when the plan ends, when it fails, and
 * — through `dropScratchOnSignals` — when the process is interrupted (Ctrl-C, SIGTERM).
 *
 * Every scratch database this process holds is in one registry, so a signal handler can drop them
 * all before the process exits. The drivers are loaded only when a scratch database is needed.
 */
import { SCRATCH_PREFIX, serverLabel, type ScratchDatabase } from './scratch-database.js';
import { maskUrl } from './url.js';
import type { DataSource, SeedFile, SourceKind } from './types.js';

export { retryDrop, SCRATCH_PREFIX, scratchName, serverLabel, type ScratchDatabase } from './scratch-database.js';

interface Tracked {
  description: string;
  drop(): Promise<void>;
}

// On globalThis: one registry per process even if this module is loaded twice (source and build).
const REGISTRY = Symbol.for('skene.scratch-databases');
function registry(): Set<Tracked> {
  const holder = globalThis as unknown as Record<symbol, Set<Tracked> | undefined>;
  return (holder[REGISTRY] ??= new Set());
}

/** Registers a scratch database (or one being created) until it is dropped; `drop` runs at most once. */
function track(description: string, drop: () => Promise<void>): Tracked {
  let dropping: Promise<void> | undefined;
  const entry: Tracked = {
    description,
    drop: () => (dropping ??= drop().finally(() => registry().delete(entry))),
  };
  registry().add(entry);
  return entry;
}

/** The scratch databases this process holds now (for messages). */
export function scratchDatabasesInUse(): string[] {
  return [...registry()].map((e) => e.description);
}

/** Drops every scratch database this process holds; resolves with what could not be dropped (one message each). */
export async function dropScratchDatabases(): Promise<string[]> {
  const results = await Promise.allSettled([...registry()].map((e) => e.drop()));
  return results.flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
}

export interface OpenScratchOptions {
  token?: string;
  keyPrefix?: string;
  connectTimeoutMs?: number;
}

/**
 * Creates a scratch database on the URL's server, opens the source on it, and seeds it. The
 * source's `close()` drops it; so does `dropScratchDatabases()`. Any failure here drops it first.
 */
export async function openScratchSource(
  kind: Exclude<SourceKind, 'pglite'>,
  url: string,
  seeds: SeedFile[],
  options: OpenScratchOptions = {},
): Promise<DataSource> {
  const label = maskUrl(url);
  if (kind === 'upstash') {
    throw new Error(
      `refusing to seed ${label}: an Upstash REST URL names a single database, and a plan never seeds the database a URL names. ` +
        'Seed a throwaway Upstash database yourself and plan against it without --seed (or drop the URL to seed the embedded PostgreSQL).',
    );
  }
  const creating =
    kind === 'postgres'
      ? import('./postgres.js').then((m) => m.createPostgresScratch(url, options))
      : kind === 'mysql'
        ? import('./mysql.js').then((m) => m.createMysqlScratch(url, options))
        : import('./redis.js').then((m) => m.createRedisScratch(url, options));
  let source: DataSource | undefined;
  // Tracked before it exists: a Ctrl-C during CREATE DATABASE still drops it once it is there.
  const entry = track(`a scratch database on ${serverLabel(url)}`, async () => {
    // Stop the source first (not awaited: a driver may wait for its running query to end); the
    // drop itself ends whatever is still connected to the scratch database.
    source?.close().catch(() => {});
    const made = await creating.catch(() => undefined);
    if (made) await made.drop();
  });
  let scratch: ScratchDatabase;
  try {
    scratch = await creating;
  } catch (error) {
    await entry.drop();
    throw error;
  }
  entry.description = `the scratch ${scratch.name} on ${serverLabel(url)}`;

  try {
    if (kind === 'postgres') source = await (await import('./postgres.js')).openPostgres(scratch.url, { ...options, scratch: true });
    else if (kind === 'mysql') source = await (await import('./mysql.js')).openMysql(scratch.url, { ...options, scratch: true });
    else source = await (await import('./redis.js')).openRedis(scratch.url, options);
    await source.seed(seeds);
  } catch (error) {
    await source?.close();
    const message = error instanceof Error ? error.message : String(error);
    const dropError = await entry.drop().then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    if (dropError) throw new Error(`${message}; and ${dropError}`, { cause: error });
    throw error;
  }
  const opened = source;
  return {
    ...opened,
    label: scratchLabel(kind, url),
    async close() {
      await opened.close();
      await entry.drop();
    },
  } as DataSource;
}

/** What the report says the plan ran on: the same for every run (no random name), so comments stay put. */
export function scratchLabel(kind: SourceKind, url: string): string {
  let database = '';
  try {
    database = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  } catch {
    // maskUrl below copes with anything
  }
  if (kind === 'redis') {
    return `a scratch logical database on ${serverLabel(url)} (seeded, flushed after the plan; database ${database || '0'} not touched)`;
  }
  return `a scratch database on ${serverLabel(url)} (seeded, dropped after the plan; ${database ? `database ${database}` : "the URL's database"} not touched)`;
}

export interface ScratchSignalOptions {
  /** Where to say what happens (a line without a newline). Default: standard error. */
  log?: (line: string) => void;
  /** Ends the process. Default: process.exit. */
  exit?: (code: number) => void;
  /** How long to wait for the drops before exiting anyway. Default 20 s. */
  deadlineMs?: number;
}

export interface ScratchSignalHandler {
  /** True once a signal arrived. */
  readonly interrupted: boolean;
  /** Settles only when the handler has ended the process (a custom `exit` that returns): await it to stop after a signal. */
  readonly exiting: Promise<void>;
  /** Removes the handlers (the default behaviour of the signals is back). */
  dispose(): void;
}

const SIGNAL_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * Until `dispose()`, SIGINT, SIGTERM and SIGHUP drop every scratch database this process holds,
 * then end the process with 128 + the signal's number (130 for Ctrl-C). A second signal ends it at
 * once, naming what may be left behind.
 */
export function dropScratchOnSignals(options: ScratchSignalOptions = {}): ScratchSignalHandler {
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let interrupted = false;
  let finish!: () => void;
  const exiting = new Promise<void>((resolve) => (finish = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    const code = SIGNAL_CODES[signal] ?? 1;
    if (interrupted) {
      const left = scratchDatabasesInUse();
      log(
        `${signal} again: exiting now${left.length ? `; ${left.join(', ')} may be left behind (its name starts with ${SCRATCH_PREFIX}: drop it by hand)` : ''}`,
      );
      exit(code);
      finish();
      return;
    }
    interrupted = true;
    const pending = scratchDatabasesInUse();
    log(pending.length ? `interrupted (${signal}): dropping ${pending.join(', ')}…` : `interrupted (${signal})`);
    const deadline = new Promise<string[]>((resolve) => {
      setTimeout(
        () => resolve([`gave up after ${Math.round((options.deadlineMs ?? 20_000) / 1000)} s: ${scratchDatabasesInUse().join(', ')} may be left behind`]),
        options.deadlineMs ?? 20_000,
      ).unref();
    });
    void Promise.race([dropScratchDatabases(), deadline]).then((failures) => {
      for (const failure of failures) log(failure);
      if (pending.length && !failures.length) log(`interrupted (${signal}): scratch database dropped`);
      exit(code);
      finish();
    });
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);
  return {
    get interrupted() {
      return interrupted;
    },
    exiting,
    dispose() {
      for (const signal of signals) process.off(signal, onSignal);
    },
  };
}
