/**
 * React Email renders on worker threads (render-worker.ts), never in the plan's own thread: a
 * component is user code, and one that loops (`while (true)`) or waits on something that never
 * settles must fail its step at the deadline, not hang the plan. A thread that overruns is
 * terminated, which stops even a synchronous loop. Big steps add threads, one per core: React
 * is most of such a plan's time, and one thread uses one core.
 *
 * Emails are sent in batches (one message per batch, not per email) to the least busy worker,
 * and come back in order. A pool that cannot start (no worker file beside this module, as in a
 * bundle that left it out, or no thread to be had) is reported as undefined: the caller renders
 * in its own thread. A template that fails to load in the thread (it throws, exits, or does not
 * finish loading in time) rejects with an EmailTemplateError. A worker that dies, or a batch that
 * does not finish in time, fails the emails it held and every later one with an
 * EmailTemplateError naming the template.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from '../worker-thread.js';
import { EmailTemplateError } from './errors.js';
import type { RenderedEmail } from './render.js';
import type { ReactProof } from './react-fill.js';
import type { TemplateBundle } from './compile.js';
import type { RenderBatch, RenderJob, RenderResult, RenderWorkerData, SerializedError, ValuesColumns, ValuesRequest, WorkerMessage } from './render-worker.js';

export interface RenderPool {
  /** The email rendered by a worker: the same result (or error) as the template's own `render`. */
  render(props: Record<string, unknown>, subject?: string): Promise<Omit<RenderedEmail, 'file' | 'kind'>>;
  /**
   * The slot values of many emails, in one message to one worker and one promise, in columns: a
   * plan fills tens of thousands of emails, and a promise, a job and a waiter per email were
   * most of its garbage.
   */
  valuesMany(emails: readonly EmailProps[]): Promise<ValuesColumns>;
  /** A compilable template's shape, proven by the first thread's sentinel renders (react-fill.ts). */
  readonly shape: ReactProof | undefined;
  /** Starts more threads, up to `threads` in all, for a big step (threads that cannot start are left out). */
  grow(threads: number): void;
  /**
   * Resolves once every thread has answered a message sent after the emails so far, or rejects
   * with why one stopped: a component that threw later (a timer, an unhandled rejection) fails
   * the step that rendered it, not a later one.
   */
  check(): Promise<void>;
  /** False once every thread has failed (a component exited, or overran): a new pool is needed. */
  readonly usable: boolean;
  close(): Promise<void>;
}

/** Emails per message: enough to make messaging cheap, few enough to keep every worker busy. */
const BATCH = 32;
/** How long a thread may take to start (load React) before the pool gives up on threads. */
const START_TIMEOUT_MS = 30_000;
/** A batch still out after this has a component waiting on something that never settles, or looping. */
export const RENDER_TIMEOUT_MS = 120_000;

let fromWorkers = 0;

/** Emails rendered by pool workers in this process so far (tests check that big steps use them). */
export function emailsRenderedInWorkers(): number {
  return fromWorkers;
}

let threadsAlive = 0;

/** Render threads of this process not yet exited (tests check that a closed plan leaves none). */
export function renderThreadsAlive(): number {
  return threadsAlive;
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
  /** The deadline for one batch of emails, and for the template's module to load (default 2 minutes). */
  batchTimeoutMs?: number;
  /** Aborted while the threads start (the plan ended): they stop, and the pool is `undefined`. */
  signal?: AbortSignal;
}

type StartOutcome = 'started' | 'unavailable';

/** One email's props and the action's subject (when it has one). */
export interface EmailProps {
  props: Record<string, unknown>;
  subject?: string;
}

export async function startRenderPool(options: RenderPoolOptions): Promise<RenderPool | undefined> {
  const timeoutMs = options.batchTimeoutMs ?? RENDER_TIMEOUT_MS;
  const starting = Array.from({ length: Math.max(1, options.threads) }, () => new PoolWorker(options, timeoutMs));
  const outcomes = await Promise.allSettled(starting.map((w) => w.ready));
  const loadFailure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  const workers = starting.filter((_, i) => outcomes[i]!.status === 'fulfilled' && (outcomes[i] as PromiseFulfilledResult<StartOutcome>).value === 'started');
  if (loadFailure || workers.length === 0) {
    await Promise.all(starting.map((w) => w.stop()));
    if (loadFailure) throw loadFailure.reason;
    return undefined;
  }
  let closed = false;
  let batch: { jobs: RenderJob[]; waiters: Waiter[] } | undefined;
  // The worker with the fewest emails in flight.
  const leastBusy = () => workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
  const flush = () => {
    if (!batch) return;
    const { jobs, waiters } = batch;
    batch = undefined;
    leastBusy().send({ jobs }, jobs.length, {
      deliver: (reply) => 'results' in reply && reply.results.forEach((result, i) => settle(waiters[i]!, result)),
      reject: (error) => waiters.forEach((w) => w.reject(error)),
    });
  };
  const add = (job: RenderJob, waiter: Waiter) => {
    if (!batch) {
      batch = { jobs: [], waiters: [] };
      setImmediate(flush); // a partial batch leaves once the caller stops adding to it
    }
    batch.jobs.push(job);
    batch.waiters.push(waiter);
    if (batch.jobs.length >= BATCH) flush();
  };
  const grown: PoolWorker[] = [];
  return {
    render(props, subject) {
      return new Promise((resolve, reject) => {
        add(subject === undefined ? { props } : { props, subject }, { resolve: resolve as Waiter['resolve'], reject });
      });
    },
    valuesMany(emails) {
      if (emails.length === 0) return Promise.resolve({ width: 0, cells: [], subjects: [], render: [], missing: [] });
      const values = valuesRequest(emails);
      return new Promise((resolve, reject) => {
        leastBusy().send({ values }, emails.length, {
          deliver: (reply) => {
            fromWorkers += emails.length;
            if ('columns' in reply) resolve(reply.columns);
          },
          reject,
        });
      });
    },
    shape: workers[0]!.shape,
    grow(threads) {
      for (let n = workers.length + grown.length; n < threads; n++) {
        const worker = new PoolWorker(options, timeoutMs);
        grown.push(worker);
        worker.ready.then(
          (outcome) => {
            if (outcome === 'started' && !closed) workers.push(worker);
            else void worker.stop();
          },
          () => void worker.stop(),
        );
      }
    },
    async check() {
      flush();
      await Promise.all(workers.map((w) => w.ping()));
    },
    get usable() {
      return !closed && workers.some((w) => !w.broken);
    },
    async close() {
      flush();
      closed = true;
      await Promise.all([...workers, ...grown].map((w) => w.stop()));
    },
  };
}

interface Waiter {
  resolve: (result: Exclude<RenderResult, { error: SerializedError }>) => void;
  reject: (error: unknown) => void;
}

/** Where a batch's results go: all at once, in order, or one error for all (the worker is out). */
interface BatchSink {
  deliver(reply: { results: RenderResult[] } | { columns: ValuesColumns }): void;
  reject(error: unknown): void;
}

/** The emails' props in columns (render-worker.ts's ValuesRequest), named after the first email's. */
function valuesRequest(emails: readonly EmailProps[]): ValuesRequest {
  const keys = emails.length ? Object.keys(emails[0]!.props) : [];
  const request: ValuesRequest = { keys, cells: [], subjects: [], otherKeys: [] };
  emails.forEach(({ props, subject }, i) => {
    const names = Object.keys(props);
    const same = names.length === keys.length && names.every((name, k) => name === keys[k]);
    if (!same) request.otherKeys.push(i);
    for (const key of keys) request.cells.push(same ? props[key] : '');
    request.subjects.push(subject);
  });
  return request;
}

class PoolWorker {
  /** 'started', or 'unavailable' when no thread could be had; rejects when the template fails to load. */
  readonly ready: Promise<StartOutcome>;
  inFlight = 0;
  /** Why this worker can take no more emails (it died, or a batch overran). */
  broken: Error | undefined;
  /** A compilable template's shape, from the thread's sentinel renders. */
  shape: ReactProof | undefined;
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { sink: BatchSink; jobs: number; timer: NodeJS.Timeout }>();
  private next = 1;
  private stopping = false;
  private readonly template: string;
  private readonly file: string;
  private readonly signal: AbortSignal | undefined;

  constructor(
    options: RenderPoolOptions,
    private readonly timeoutMs: number,
  ) {
    this.template = options.template;
    this.file = options.file;
    this.signal = options.signal;
    this.worker = startWorkerThread(import.meta.url, 'render-worker', {
      workerData: { skeneRenderWorker: true, file: options.file, template: options.template, bundle: options.bundle } satisfies RenderWorkerData,
      stderr: true, // a worker that cannot load says so to us, not to the user's terminal
      withoutParentLoaders: true,
      loadError: 'message',
    });
    threadsAlive++;
    this.worker.once('exit', () => threadsAlive--);
    this.ready = this.start();
    this.ready.then(
      (outcome) => {
        if (outcome !== 'started') return;
        this.worker.unref(); // idle: the process may end; `send` holds it while emails are out
        // What components print (console.log goes to stdout as is; console.error came here).
        this.worker.stderr.pipe(process.stderr);
        this.worker.on('message', (message: WorkerMessage) => {
          if ('id' in message) this.receive(message);
        });
        this.worker.on('error', (error) => this.fail(this.templateError(`a component failed outside rendering: ${error.message}`)));
        this.worker.on('exit', (code) => this.fail(this.templateError(`the render thread stopped (exit code ${code}): does a component call process.exit?`)));
      },
      () => {},
    );
  }

  /** Boot (React loads) under the start deadline; then the template's module under the render deadline. */
  private start(): Promise<StartOutcome> {
    return new Promise((resolve, reject) => {
      let loading = false;
      let timer = setTimeout(() => finish('unavailable'), START_TIMEOUT_MS);
      const onAbort = () => finish('unavailable');
      const finish = (outcome: StartOutcome | EmailTemplateError) => {
        clearTimeout(timer);
        this.signal?.removeEventListener('abort', onAbort);
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
        this.worker.off('exit', onExit);
        if (outcome === 'started') return resolve(outcome);
        void this.worker.terminate();
        if (outcome === 'unavailable') resolve(outcome);
        else reject(outcome);
      };
      const onMessage = (message: WorkerMessage) => {
        if ('loading' in message) {
          loading = true;
          clearTimeout(timer);
          timer = setTimeout(
            () =>
              finish(
                this.templateError(
                  `its module did not finish loading within ${this.timeoutMs / 1000} s: does it loop, or wait on something that never settles, when it loads?`,
                  'render-timeout',
                ),
              ),
            this.timeoutMs,
          );
        } else if ('ready' in message) {
          if (message.ready) {
            this.shape = message.shape;
            return finish('started');
          }
          const error = deserializeError(message.error);
          finish(error instanceof EmailTemplateError ? error : this.templateError(`loading failed: ${error.message}`, 'load-error'));
        }
      };
      const onError = (error: Error) => finish(loading ? this.templateError(`loading failed: ${error.message}`, 'load-error') : 'unavailable');
      const onExit = (code: number) =>
        finish(
          loading
            ? this.templateError(`the render thread stopped (exit code ${code}) while loading the template: does it call process.exit?`, 'load-error')
            : 'unavailable',
        );
      this.worker.on('message', onMessage);
      this.worker.on('error', onError);
      this.worker.on('exit', onExit);
      // A plan that ends while React boots or the template loads does not wait for either.
      if (this.signal?.aborted) onAbort();
      else this.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** A batch of no emails: answered once the thread has run what the emails before it left behind. */
  ping(): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => this.send({ jobs: [] }, 0, { deliver: () => resolve(), reject }));
  }

  /** Posts the batch (of `emails` emails; none for a ping); its reply goes to `sink`. */
  send(batch: { jobs: RenderJob[] } | { values: ValuesRequest }, emails: number, sink: BatchSink) {
    if (this.broken || this.stopping) {
      sink.reject(this.broken ?? new Error('the render pool is closed'));
      return;
    }
    const id = this.next++;
    const timer = setTimeout(() => {
      this.fail(
        this.templateError(
          `an email did not finish rendering within ${this.timeoutMs / 1000} s: does a component wait on something that never settles, or loop?`,
          'render-timeout',
        ),
      );
      void this.worker.terminate(); // stops a synchronous loop too
    }, this.timeoutMs);
    timer.unref();
    this.waiting.set(id, { sink, jobs: emails, timer });
    this.inFlight += Math.max(emails, 1);
    this.worker.ref(); // keep the process alive while emails are out
    this.worker.postMessage({ id, ...batch } satisfies RenderBatch);
  }

  private receive(reply: Extract<WorkerMessage, { id: number }>) {
    const { id } = reply;
    const entry = this.waiting.get(id);
    if (!entry) return;
    this.waiting.delete(id);
    clearTimeout(entry.timer);
    this.inFlight -= Math.max(entry.jobs, 1);
    if (this.waiting.size === 0) this.worker.unref();
    if (entry.jobs === 0) {
      // A ping: answered only after a turn of the thread's event loop, so that timers and
      // rejections its emails left behind have run (see `ping`).
      setImmediate(() => (this.broken ? entry.sink.reject(this.broken) : entry.sink.deliver({ results: [] })));
      return;
    }
    entry.sink.deliver(reply);
  }

  templateError(what: string, code: EmailTemplateError['code'] = 'component-threw'): EmailTemplateError {
    return new EmailTemplateError(`email template "${this.template}": ${what}`, { code, template: this.template, file: this.file });
  }

  /** This worker is out: its emails and every later one fail with `error`. */
  private fail(error: Error) {
    if (this.stopping || this.broken) return;
    this.broken = error;
    this.inFlight = Number.POSITIVE_INFINITY; // never the least busy again
    this.rejectWaiting(error);
    this.worker.unref();
  }

  private rejectWaiting(error: Error) {
    for (const { sink, timer } of this.waiting.values()) {
      clearTimeout(timer);
      sink.reject(error);
    }
    this.waiting.clear();
  }

  async stop() {
    this.stopping = true;
    // Emails still out when the pool closes (a step given up) are not left pending forever.
    this.rejectWaiting(new Error('the render pool is closed'));
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
