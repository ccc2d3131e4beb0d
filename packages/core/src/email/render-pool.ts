/**
 * React Email renders spread over worker threads (render-worker.ts), for plans that render
 * thousands of emails: React is most of such a plan's time, and one thread uses one core.
 *
 * Emails are sent in batches (one message per batch, not per email) to the least busy worker,
 * and come back in order. A pool that cannot start (no worker file beside this module, as in a
 * bundle that left it out) is reported as undefined: the caller renders in its own thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { EmailTemplateError } from './errors.js';
import type { RenderedEmail } from './render.js';
import type { RenderBatch, RenderJob, RenderResult, SerializedError, WorkerMessage } from './render-worker.js';

export interface RenderPool {
  /** The email rendered by a worker: the same result (or error) as the template's own `render`. */
  render(props: Record<string, unknown>, subject?: string): Promise<Omit<RenderedEmail, 'file' | 'kind'>>;
  close(): Promise<void>;
}

/** Emails per message: enough to make messaging cheap, few enough to keep every worker busy. */
const BATCH = 32;
const START_TIMEOUT_MS = 30_000;

let fromWorkers = 0;

/** Emails rendered by pool workers in this process so far (tests check that big steps use them). */
export function emailsRenderedInWorkers(): number {
  return fromWorkers;
}

/** Threads to render on by default: every core. */
export function defaultRenderThreads(): number {
  return availableParallelism();
}

export async function startRenderPool(options: { emailsDir: string; template: string; threads: number }): Promise<RenderPool | undefined> {
  const workers: PoolWorker[] = [];
  try {
    for (let i = 0; i < options.threads; i++) workers.push(new PoolWorker(options.emailsDir, options.template));
    await Promise.all(workers.map((w) => w.ready));
  } catch {
    await Promise.all(workers.map((w) => w.stop()));
    return undefined;
  }

  let batch: { jobs: RenderJob[]; waiters: Waiter[] } | undefined;
  const flush = () => {
    if (!batch) return;
    const { jobs, waiters } = batch;
    batch = undefined;
    // The worker with the fewest emails in flight.
    workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a)).send(jobs, waiters);
  };
  return {
    render(props, subject) {
      return new Promise((resolve, reject) => {
        if (!batch) {
          batch = { jobs: [], waiters: [] };
          setImmediate(flush); // a partial batch leaves once the caller stops adding to it
        }
        batch.jobs.push(subject === undefined ? { props } : { props, subject });
        batch.waiters.push({ resolve, reject });
        if (batch.jobs.length >= BATCH) flush();
      });
    },
    async close() {
      flush();
      await Promise.all(workers.map((w) => w.stop()));
    },
  };
}

interface Waiter {
  resolve: (email: Omit<RenderedEmail, 'file' | 'kind'>) => void;
  reject: (error: unknown) => void;
}

class PoolWorker {
  readonly ready: Promise<void>;
  inFlight = 0;
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiter[]>();
  private next = 1;
  private stopped = false;

  constructor(emailsDir: string, template: string) {
    // Running from TypeScript sources (tests, under tsx), the worker registers tsx first: loader
    // hooks are not inherited by workers.
    const fromSource = import.meta.url.endsWith('.ts');
    const url = new URL(fromSource ? './render-worker.ts' : './render-worker.js', import.meta.url).href;
    const bootstrap = fromSource
      ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); })`
      : `import(${JSON.stringify(url)})`;
    this.worker = new Worker(`${bootstrap}.catch((e) => { console.error(e.message); process.exit(1); });`, {
      eval: true,
      workerData: { skeneRenderWorker: true, emailsDir, template },
      stderr: true, // a worker that cannot load says so to us, not to the user's terminal
    });
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the render worker did not start')), START_TIMEOUT_MS);
      this.worker.once('message', (message: WorkerMessage) => {
        clearTimeout(timer);
        if ('ready' in message && message.ready) resolve();
        else reject(new Error('the render worker could not prepare the template'));
      });
      this.worker.once('exit', () => (clearTimeout(timer), reject(new Error('the render worker stopped'))));
    });
    this.ready.then(
      () => {
        this.worker.on('message', (message: WorkerMessage) => {
          if (!('id' in message)) return;
          const waiters = this.waiting.get(message.id);
          if (!waiters) return;
          this.waiting.delete(message.id);
          this.inFlight -= waiters.length;
          if (this.waiting.size === 0) this.worker.unref();
          message.results.forEach((result, i) => settle(waiters[i]!, result));
        });
        this.worker.on('exit', () => this.fail(new Error('a render worker stopped unexpectedly')));
        this.worker.on('error', (error) => this.fail(error));
      },
      () => {},
    );
  }

  send(jobs: RenderJob[], waiters: Waiter[]) {
    if (this.stopped) {
      for (const w of waiters) w.reject(new Error('the render pool is closed'));
      return;
    }
    const id = this.next++;
    this.waiting.set(id, waiters);
    this.inFlight += waiters.length;
    this.worker.ref(); // keep the process alive while emails are out
    this.worker.postMessage({ id, jobs } satisfies RenderBatch);
  }

  private fail(error: unknown) {
    if (this.stopped) return;
    this.stopped = true;
    for (const waiters of this.waiting.values()) for (const w of waiters) w.reject(error);
    this.waiting.clear();
  }

  async stop() {
    this.stopped = true;
    await this.worker.terminate();
  }
}

function settle(waiter: Waiter, result: RenderResult) {
  fromWorkers++;
  if ('error' in result) waiter.reject(deserializeError(result.error));
  else waiter.resolve(result);
}

function deserializeError(error: SerializedError): Error {
  return error.template ? new EmailTemplateError(error.message, error.template) : new Error(error.message);
}
