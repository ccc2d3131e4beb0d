/**
 * The embedded PostgreSQL runs in a worker thread. PGlite executes a query synchronously inside
 * WebAssembly and has no signals, so `statement_timeout` never fires and a slow query would
 * block the plan's thread; in a worker, the plan keeps its clock and can stop a query that
 * overruns its deadline by terminating the worker (see pglite.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createPglite, type PgliteAssets } from './pglite-snapshot.js';

export type WorkerRequest =
  { id: number; op: 'exec'; sql: string } | { id: number; op: 'query'; sql: string; params: unknown[]; arrays: boolean } | { id: number; op: 'close' };

export type WorkerResponse =
  { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { message: string; code?: string; position?: string } };

if (parentPort) {
  const port = parentPort;
  // Where the files are when the surface moved them (setPgliteAssets in the parent thread).
  const assets = (workerData as { pgliteAssets?: PgliteAssets } | null)?.pgliteAssets;
  const ready = createPglite({ assets }).then(({ db }) => db);
  ready.then(
    () => port.postMessage({ id: 0, ok: true, result: 'ready' } satisfies WorkerResponse),
    (error: Error) => port.postMessage({ id: 0, ok: false, error: { message: error.message } } satisfies WorkerResponse),
  );
  port.on('message', async (request: WorkerRequest) => {
    try {
      const db = await ready;
      let result: unknown;
      if (request.op === 'exec') {
        await db.exec(request.sql);
      } else if (request.op === 'query') {
        const r = await db.query<Record<string, unknown>>(request.sql, request.params, request.arrays ? { rowMode: 'array' } : undefined);
        result = request.arrays ? { fields: r.fields.map((f) => f.name), rows: r.rows } : r.rows;
      } else {
        await db.close();
      }
      port.postMessage({ id: request.id, ok: true, result } satisfies WorkerResponse);
    } catch (error) {
      const e = error as { message?: string; code?: string; position?: string };
      port.postMessage({
        id: request.id,
        ok: false,
        error: { message: e.message ?? String(error), code: e.code, position: e.position },
      } satisfies WorkerResponse);
    }
  });
}
