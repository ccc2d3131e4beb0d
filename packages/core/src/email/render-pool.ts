/**
 * React Email renders spread over worker threads (render-worker.ts), for plans that render
 * thousands of emails: React is most of such a plan's time, and one thread uses one core.
 *
 * Emails are sent in batches (one message per batch, not per email) to the least busy worker,
 * and come back in order. A pool that cannot start (no worker file beside this module, as in a
 * bundle that left it out, or no thread to be had) is reported as undefined: the caller renders
 * in its own thread. A worker that dies, or a batch that does not finish in time, fails the
 * emails it held and every later one with an EmailTemplateError naming the template.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from '../worker-thread.js';
import { EmailTemplateError } from './errors.js';
import type { RenderedEmail } from './render.js';
import type { TemplateBundle } from './compile.js';
import type { RenderBatch, RenderJob, RenderResult, RenderWorkerData, SerializedError, WorkerMessage } from './render-worker.js';

export interface RenderPool {
  /** The email rendered by a worker: the same result (or error) as the template's own `render`. */
  render(props: Record<string, unknown>, subject?: string): Promise<Omit<RenderedEmail, 'file' | 'kind'>>;
  close(): Promise<void>;
}

/** Emails per message: enough to make messaging cheap, few enough to keep every worker busy. */
const BATCH = 32;
const START_TIMEOUT_MS = 30_000;
/** A batch still out after this has a component waiting on something that never settles, or looping. */
export const RENDER_TIMEOUT_MS = 120_000;

let fromWorkers = 0;

/** Emails rendered by pool workers in this process so far (tests check that big steps use them). */
export function emailsRenderedInWorkers(): number {
  return fromWorkers;
}

/** Threads to render on by default: every core, at most 8 (each holds its own React and heap). */
export function defaultRenderThreads(): number {
  return Math.min(availableParallelism(), 8);
}

export interface RenderPoolOptions {
  /** The template's name (for messages), its file and the bundle the calling thread compiled. */
  template: string;
  file: string;
  bundle: TemplateBundle;
  threads: number;
  batchTimeoutMs?: number;
}

export async function startRenderPool(options: RenderPoolOptions): Promise<RenderPool | undefined> {
  const workers: PoolWorker[] = [];
  try {
    for (let i = 0; i < options.threads; i++) workers.push(new PoolWorker(options, options.batchTimeoutMs ?? RENDER_TIMEOUT_MS));
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
  private readonly waiting = new Map<number, { waiters: Waiter[]; timer: NodeJS.Timeout }>();
  private next = 1;
  private stopping = false;
  /** Why this worker can take no more emails (it died, or a batch overran). */
  private broken: Error | undefined;
  private readonly template: string;
  private readonly file: string;

  constructor(
    options: RenderPoolOptions,
    private readonly batchTimeoutMs: number,
  ) {
    this.template = options.template;
    this.file = options.file;
    this.worker = startWorkerThread(import.meta.url, 'render-worker', {
      workerData: { skeneRenderWorker: true, file: options.file, template: options.template, bundle: options.bundle } satisfies RenderWorkerData,
      stderr: true, // a worker that cannot load says so to us, not to the user's terminal
      withoutParentLoaders: true,
      loadError: 'message',
    });
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the render worker did not start')), START_TIMEOUT_MS);
      const done = (error?: Error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      this.worker.once('message', (message: WorkerMessage) => done('ready' in message && message.ready ? undefined : new Error('the render worker could not load the template')));
      this.worker.once('error', (error) => done(error));
      this.worker.once('exit', () => done(new Error('the render worker stopped')));
    });
    this.ready.then(
      () => {
        // What components print (console.log goes to stdout as is; console.error came here).
        this.worker.stderr.pipe(process.stderr);
        this.worker.on('message', (message: WorkerMessage) => {
          if ('id' in message) this.receive(message.id, message.results);
        });
        this.worker.on('error', (error) => this.fail(this.templateError(`a component failed outside rendering: ${error.message}`)));
        this.worker.on('exit', (code) => this.fail(this.templateError(`the render thread stopped (exit code ${code}): does a component call process.exit?`)));
      },
      () => {},
    );
  }

  send(jobs: RenderJob[], waiters: Waiter[]) {
    if (this.broken || this.stopping) {
      const error = this.broken ?? new Error('the render pool is closed');
      for (const w of waiters) w.reject(error);
      return;
    }
    const id = this.next++;
    const timer = setTimeout(() => {
      this.fail(this.templateError(`an email did not finish rendering within ${this.batchTimeoutMs / 1000} s: does a component wait on something that never settles, or loop?`));
      void this.worker.terminate();
    }, this.batchTimeoutMs);
    timer.unref();
    this.waiting.set(id, { waiters, timer });
    this.inFlight += waiters.length;
    this.worker.ref(); // keep the process alive while emails are out
    this.worker.postMessage({ id, jobs } satisfies RenderBatch);
  }

  private receive(id: number, results: RenderResult[]) {
    const entry = this.waiting.get(id);
    if (!entry) return;
    this.waiting.delete(id);
    clearTimeout(entry.timer);
    this.inFlight -= entry.waiters.length;
    if (this.waiting.size === 0) this.worker.unref();
    results.forEach((result, i) => settle(entry.waiters[i]!, result));
  }

  private templateError(what: string): EmailTemplateError {
    return new EmailTemplateError(`email template "${this.template}": ${what}`, { code: 'component-threw', template: this.template, file: this.file });
  }

  /** This worker is out: its emails and every later one fail with `error`. */
  private fail(error: Error) {
    if (this.stopping || this.broken) return;
    this.broken = error;
    this.inFlight = Number.POSITIVE_INFINITY; // never the least busy again
    for (const { waiters, timer } of this.waiting.values()) {
      clearTimeout(timer);
      for (const w of waiters) w.reject(error);
    }
    this.waiting.clear();
    this.worker.unref();
  }

  async stop() {
    this.stopping = true;
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
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
