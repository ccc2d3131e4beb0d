/**
 * PGlite's data directory snapshot. A fresh `initdb` takes seconds, so the first run saves an
 * initialised data directory (uncompressed tar) under node_modules/.cache/skene (or the OS temp
 * folder) and later runs load it: that is the ≤ 1 s cold start. Kept free of heavy imports: the
 * worker thread (pglite-worker.ts) loads only this.
 */
import { createRequire } from 'node:module';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync, openAsBlob, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { importPglite, type PgliteModule } from './pglite-module.js';
import { fillFromTar, type MemoryFileSystem } from './pglite-tar.js';

type PGliteInstance = InstanceType<PgliteModule['PGlite']>;

/** Column parsers shared with the PostgreSQL adapter, so both give the same values. */
export const PG_PARSERS: Record<number, (value: string) => unknown> = {
  20: (v) => (Number.isSafeInteger(Number(v)) ? Number(v) : v), // int8: a number when exact
  1082: (v) => v, // date: 'YYYY-MM-DD', never shifted by a time zone
  1114: (v) => utcIso(v, '') ?? new Date(`${v.replace(' ', 'T')}Z`), // timestamp without time zone: read as UTC
  1184: (v) => utcIso(v, '+00') ?? new Date(v.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')),
};

/** PostgreSQL's text form of a timestamp in UTC (ISO DateStyle), with or without `+00`. */
const PG_UTC = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?:\+00)?$/;
const PLUS = 43;

/**
 * `2026-03-01 17:42:00.5+00` → `2026-03-01T17:42:00.500Z` without building a Date: plans read
 * every row of a table, and this is what a Date would print anyway (milliseconds, UTC).
 * Fixed offsets, no capture groups; joined, not concatenated, so each row keeps one flat
 * string instead of a chain of pieces.
 */
function utcIso(text: string, zone: '' | '+00'): string | undefined {
  if (!PG_UTC.test(text)) return undefined;
  const end = text.length - zone.length; // the seconds end at 19; a fraction runs to `end`
  if (zone ? !text.endsWith(zone) : text.charCodeAt(end - 3) === PLUS) return undefined;
  const fraction = end === 19 ? '.000' : end >= 23 ? text.slice(19, 23) : text.slice(19, end).padEnd(4, '0');
  return [text.slice(0, 10), 'T', text.slice(11, 19), fraction, 'Z'].join('');
}

function pgliteVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    let dir = dirname(require.resolve('@electric-sql/pglite'));
    while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** node_modules/.cache/skene beside the installed package, else the OS temp folder. */
export function cacheDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'node_modules');
    if (existsSync(candidate)) return join(candidate, '.cache', 'skene');
    const parent = dirname(dir);
    if (parent === dir) return join(tmpdir(), 'skene-cache');
    dir = parent;
  }
}

/** The data directory initdb made, as a tar: named for PGlite's version and the layout initdb was asked for. */
export function snapshotPath(): string {
  return join(cacheDir(), `pglite-${pgliteVersion()}-wal1mb-datadir.tar`);
}

/** Where PGlite's pglite.wasm and pglite.data are, when not beside its code. */
export interface PgliteAssets {
  wasm: string;
  data: string;
}

let assets: PgliteAssets | undefined;

/**
 * Tells core where PGlite's two large files are, for a surface that does not ship them beside
 * PGlite's code: the Action keeps them compressed and unpacks them into a cache. Without a call
 * PGlite loads its own; the worker thread is handed the setting when it starts (pglite.ts).
 */
export function setPgliteAssets(where: PgliteAssets | undefined): void {
  assets = where;
}

/** What setPgliteAssets() said, if anything. */
export function pgliteAssets(): PgliteAssets | undefined {
  return assets;
}

/** PGlite's options that load its WebAssembly and file-system bundle from `where` (none: from beside its code). */
async function assetOptions(where: PgliteAssets | undefined): Promise<{ pgliteWasmModule?: WebAssembly.Module; fsBundle?: Blob }> {
  if (!where) return {};
  // A Blob backed by the file (see the snapshot's below), whose own error (thrown, on Node 20,
  // not a rejection) does not name the file.
  const data = (async () => openAsBlob(where.data))().catch((error: Error) => {
    throw new Error(`cannot read PGlite's file system bundle ${where.data}: ${error.message}`, { cause: error });
  });
  const [wasm, fsBundle] = await Promise.all([readFile(where.wasm), data]);
  return { pgliteWasmModule: await WebAssembly.compile(wasm), fsBundle };
}

/**
 * PGlite's start parameters with 16 MB of shared buffers instead of PostgreSQL's 128 MB, which
 * PGlite zeroes at every start (~300 ms on 2 cores): for a database that lives in memory, or is
 * only read briefly (the plan's copy of a runner's state), where the buffers' size buys nothing.
 */
export function withSmallBuffers(defaultStartParams: readonly string[]): string[] {
  return [...defaultStartParams, '-c', 'shared_buffers=16MB'];
}

export interface CreatePgliteOptions {
  /** Where PGlite's own files are (default: what setPgliteAssets said). */
  assets?: PgliteAssets;
  /** The snapshot to start from, made there when missing or damaged (default: snapshotPath()). */
  snapshot?: string;
}

/** Creates a PGlite instance from the cached snapshot, making the snapshot on first use. */
export async function createPglite({ assets: where = assets, snapshot = snapshotPath() }: CreatePgliteOptions = {}): Promise<{
  db: PGliteInstance;
  fromSnapshot: boolean;
}> {
  const { PGlite, MemoryFS } = await importPglite();
  // Measured on 2 cores, each start from the snapshot: PostgreSQL's default 128 MB of shared
  // buffers were zeroed at every start (~300 ms of 1.6 s, and 110 MB of memory); a plan's
  // database lives in memory (PGlite's file system), where a page that leaves the buffers costs
  // a copy, not a disk read (withSmallBuffers). And 1 MB WAL segments instead of 16 (the snapshot
  // 31 MB, not 40, to read and unpack; a new segment to zero-fill at start 1 MB): another ~350 ms.
  const options = {
    parsers: PG_PARSERS,
    startParams: withSmallBuffers(PGlite.defaultStartParams),
    initDbStartParams: ['--wal-segsize=1'],
    ...(await assetOptions(where)),
  };
  if (existsSync(snapshot)) {
    try {
      // Read here, once, for this database alone: its files become views of these bytes
      // (pglite-tar.ts), ~300 ms sooner than PGlite's loadDataDir, which copied them three times.
      const archive = await readFile(snapshot);
      const fs = new (class extends MemoryFS {
        override async initialSyncFs(): Promise<void> {
          await super.initialSyncFs();
          const { FS, ENV } = this.pg!.Module as unknown as { FS: MemoryFileSystem; ENV: { PGDATA: string } };
          fillFromTar(FS, ENV.PGDATA, archive);
        }
      })();
      return { db: await PGlite.create({ fs, ...options }), fromSnapshot: true };
    } catch {
      // a truncated or incompatible snapshot: fall through and make a new one
    }
  }
  const db = await PGlite.create(options);
  try {
    const dump = await db.dumpDataDir('none');
    await mkdir(dirname(snapshot), { recursive: true });
    const partial = `${snapshot}.${process.pid}.${Date.now()}.partial`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, snapshot); // atomic: concurrent first runs never see half a file
  } catch {
    // no writable cache: every run pays the initdb, but works
  }
  return { db, fromSnapshot: false };
}
