/**
 * The embedded default: PostgreSQL compiled to WebAssembly (PGlite), nothing to install, run in
 * a worker thread (pglite-worker.ts) started from a cached data directory (pglite-snapshot.ts).
 */
import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from '../worker-thread.js';
import { pgReadOnly, classifyPgError } from './postgres-session.js';
import { pgliteAssets } from './pglite-snapshot.js';
import { seedLocation } from './seed.js';
import { SourceError, type Row, type SeedFile, type SqlSource } from './types.js';

export { PG_PARSERS, cacheDir, snapshotPath, createPglite } from './pglite-snapshot.js';

/** How long the embedded database may take to start (snapshot load, or a first initdb). */
const START_TIMEOUT_MS = 120_000;

/**
 * The embedded PostgreSQL, in a worker thread (see pglite-worker.ts): a query that overruns its
 * deadline is stopped by terminating the worker; the next query starts a fresh one from the
 * snapshot and replays the seeds, so a retry sees the same data.
 */
export async function openPglite(): Promise<SqlSource> {
  const seeds: SeedFile[] = [];
  let worker: PgliteWorker | undefined;
  const running = async (): Promise<PgliteWorker> => {
    if (worker && !worker.dead) return worker;
    worker = await PgliteWorker.start();
    for (const file of seeds) await seedOne(worker, file);
    return worker;
  };
  await running();

  const seedOne = async (w: PgliteWorker, file: SeedFile) => {
    try {
      await w.request({ op: 'exec', sql: file.text }, undefined);
    } catch (error) {
      const position = Number((error as { position?: string }).position);
      throw new Error(`seed ${seedLocation(file, position)} failed: ${(error as Error).message}`);
    }
  };

  return {
    kind: 'pglite',
    dialect: 'postgres',
    label: 'embedded PostgreSQL (PGlite)',
    async seed(files: SeedFile[]) {
      const w = await running();
      for (const file of files) {
        await seedOne(w, file);
        seeds.push(file);
      }
    },
    readOnly(fn) {
      // The deadline of the statement in flight, enforced here: PGlite has no statement_timeout.
      let deadline: number | undefined;
      return pgReadOnly(
        {
          control: async (sql) => {
            await (await running()).request({ op: 'exec', sql }, undefined);
            const m = /statement_timeout = (\d+)/.exec(sql);
            if (m) deadline = Number(m[1]);
          },
          query: async (sql, params) => (await running()).request({ op: 'query', sql, params, arrays: false }, deadline) as Promise<Row[]>,
          queryArrays: async (sql, params) =>
            (await running()).request({ op: 'query', sql, params, arrays: true }, deadline) as Promise<{ fields: string[]; rows: unknown[][] }>,
        },
        fn,
      );
    },
    async close() {
      if (worker && !worker.dead) await worker.stop();
    },
  };
}

type Request = { op: 'exec'; sql: string } | { op: 'query'; sql: string; params: unknown[]; arrays: boolean } | { op: 'close' };

class PgliteWorker {
  dead = false;
  private next = 1;
  private waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: { id: number; ok: boolean; result?: unknown; error?: { message: string; code?: string; position?: string } }) => {
      const waiter = this.waiting.get(message.id);
      if (!waiter) return;
      this.waiting.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(Object.assign(new Error(message.error!.message), { code: message.error!.code, position: message.error!.position }));
    });
    const fail = (error: unknown) => {
      this.dead = true;
      for (const w of this.waiting.values()) w.reject(error);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new SourceError('the embedded database stopped', true, 'ECONNRESET', 'connection')));
  }

  static async start(): Promise<PgliteWorker> {
    const worker = startWorkerThread(import.meta.url, 'pglite-worker', { workerData: { pgliteAssets: pgliteAssets() } });
    worker.unref();
    const handle = new PgliteWorker(worker);
    handle.waiting.set(0, { resolve: () => {}, reject: () => {} });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the embedded PostgreSQL did not start within 2 minutes')), START_TIMEOUT_MS);
      handle.waiting.set(0, {
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    }).catch(async (error: unknown) => {
      // A thread that failed to start still listens for requests: stop it, or the process never exits.
      await worker.terminate();
      throw error;
    });
    return handle;
  }

  request(request: Request, timeoutMs: number | undefined): Promise<unknown> {
    if (this.dead) return Promise.reject(new SourceError('the embedded database stopped', true, 'ECONNRESET', 'connection'));
    const id = this.next++;
    this.worker.ref(); // keep the process alive while a query is in flight
    return new Promise<unknown>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        if (this.waiting.size === 0) this.worker.unref();
      };
      this.waiting.set(id, { resolve: (v) => (this.waiting.delete(id), done(), resolve(v)), reject: (e) => (this.waiting.delete(id), done(), reject(e)) });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          // PGlite cannot cancel a statement: stop the whole embedded database.
          this.dead = true;
          const waiter = this.waiting.get(id);
          this.waiting.delete(id);
          void this.worker.terminate();
          waiter?.reject(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }));
        }, timeoutMs);
      }
      this.worker.postMessage({ id, ...request });
    });
  }

  async stop(): Promise<void> {
    try {
      await this.request({ op: 'close' }, 10_000);
    } catch {
      // stopping anyway
    }
    this.dead = true;
    await this.worker.terminate();
  }
}

export { classifyPgError };
