/**
 * Starts one of core's worker-thread modules (`sources/pglite-worker`, `email/render-worker`)
 * beside the module that asks for it. The built module is imported as is; running from
 * TypeScript sources (tests, under tsx), the thread registers tsx first, as loader hooks are not
 * inherited by workers. A module that fails to load ends the thread with exit code 1.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startWorkerThread(
  callerUrl: string,
  name: string,
  options: Omit<WorkerOptions, 'eval'> & {
    /** Built code needs none of the parent's loaders (`--import tsx` in a bench, say): without them a thread starts faster. */
    withoutParentLoaders?: boolean;
    /** What a thread that cannot load prints: the whole error, or its message. */
    loadError?: 'error' | 'message';
  } = {},
): Worker {
  const { withoutParentLoaders, loadError = 'error', ...workerOptions } = options;
  const fromSource = callerUrl.endsWith('.ts');
  const url = new URL(`./${name}${fromSource ? '.ts' : '.js'}`, callerUrl).href;
  const bootstrap = fromSource
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); })`
    : `import(${JSON.stringify(url)})`;
  const print = loadError === 'message' ? 'e.message' : 'e';
  return new Worker(`${bootstrap}.catch((e) => { console.error(${print}); process.exit(1); });`, {
    ...workerOptions,
    ...(withoutParentLoaders && !fromSource ? { execArgv: [] } : {}),
    eval: true,
  });
}
