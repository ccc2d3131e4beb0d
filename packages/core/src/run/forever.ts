/**
 * `skene run` without `--once`: passes of `runOnce` until stopped. A pass starts when capture
 * notifies a change (LISTEN on `skene_events`, sent at the change's COMMIT) and at least every
 * `intervalMs` anyway: a lost notification (a dropped connection) only delays work until the
 * next poll. Stopping (the signal) lets the batch in hand finish (`runOnce` fetches no more): its
 * jobs are settled, nothing is lost, and the next start goes on from the queue and the cursors.
 * A backend with its own capture (MySQL, TiDB, Redis) is woken by that capture instead.
 */
import { captureChannel } from './capture-postgres.js';
import { runOnce, type RunOnceOptions, type RunSummary } from './runner.js';

export interface RunForeverOptions extends RunOnceOptions {
  /** Stops the loop after the pass in flight. */
  signal: AbortSignal;
  /** The longest wait between passes (default 5 s). */
  intervalMs?: number;
  onPass?: (summary: RunSummary) => void;
}

export async function runForever(options: RunForeverOptions): Promise<void> {
  const capture = options.backend?.capture;
  if (capture) return untilAborted(options, (ms) => capture.waitForChange(ms, options.signal));
  const { signal, intervalMs = 5_000 } = options;
  let wake: (() => void) | undefined;
  let notified = false;
  const { default: pg } = await import('pg');
  const listener = new pg.Client({ connectionString: options.databaseUrl, application_name: 'skene run (listen)' });
  listener.on('error', () => {}); // the poll goes on without wake-ups
  listener.on('notification', () => {
    notified = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    await listener.connect();
    await listener.query(`LISTEN ${captureChannel()}`);
  } catch {
    // Without LISTEN the loop still polls every intervalMs.
  }
  let backfillSince = options.backfillSince;
  try {
    while (!signal.aborted) {
      notified = false;
      // A pinned clock (`--at`) stays pinned; otherwise each pass runs at the current time.
      // A backfill is the first pass's only: later rows are captured events.
      const summary = await runOnce({ ...options, maxWaitMs: 0, backfillSince });
      backfillSince = undefined;
      options.onPass?.(summary);
      if (signal.aborted) break;
      if (notified) continue; // changes arrived during the pass
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    await listener.end().catch(() => {});
  }
}

/**
 * The same passes on a backend with its own capture (MySQL, TiDB, Redis: backend-source.ts): the
 * capture says when a change may be waiting (a keyspace notification, a poll interval).
 */
async function untilAborted(options: RunForeverOptions, waitForChange: (ms: number) => Promise<void>): Promise<void> {
  const { signal, intervalMs = 5_000 } = options;
  let backfillSince = options.backfillSince;
  while (!signal.aborted) {
    const summary = await runOnce({ ...options, maxWaitMs: 0, backfillSince });
    backfillSince = undefined;
    options.onPass?.(summary);
    if (signal.aborted) break;
    await waitForChange(intervalMs);
  }
}
