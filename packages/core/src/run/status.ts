/**
 * `skene status`: what the runner has done, per loop and step, read from its state store —
 * emails sent and failed (with the last error) from the ledger, events waiting, expired and
 * skipped from the progress table, paused loops, and a schedule's next occurrence. Only counts
 * and errors: no address is read.
 */
import type { LoadedConfig } from '../plan/load-config.js';
import { cronOccurrences } from '../plan/clock.js';
import { capturesBesideState, openState } from './backend-source.js';
import { addGoals, type GoalStatus } from './goal-status.js';
import { withPgClient } from './pg-client.js';
import type { RunStateStore } from './state-store.js';
import { postgresStateStore } from './state-store-postgres.js';

export interface StepStatus {
  step: number;
  trigger: string;
  sent: number;
  /** Recorded before a call whose answer has not been recorded (in flight, or a crash to recover). */
  sending: number;
  waiting: number;
  expired: number;
  failed: number;
  skipped: number;
  lastError?: string;
  /** Schedules: the next occurrence after now. */
  nextOccurrence?: string;
  /** The loop has a goal (or the state has goal rows): its conversions (goal-status.ts). */
  goal?: GoalStatus;
}

export interface LoopStatus {
  id: string;
  paused?: { reason: string; since: string };
  steps: StepStatus[];
}

export interface RunStatus {
  database: string;
  /** False when no runner has run on this store yet (no state tables, no state keys). */
  started: boolean;
  loops: LoopStatus[];
}

function stepStatus(loop: LoadedConfig['loops'][number] | undefined, stepNo: number, now: Date): StepStatus {
  const trigger = loop?.steps[stepNo - 1]?.trigger;
  const status: StepStatus = { step: stepNo, trigger: '', sent: 0, sending: 0, waiting: 0, expired: 0, failed: 0, skipped: 0 };
  if (!trigger) return { ...status, trigger: '(no longer in the config)' };
  if (trigger.type === 'database') return { ...status, trigger: `${trigger.event} on ${trigger.table}` };
  status.trigger = `schedule ${trigger.cron}${trigger.timezone ? ` (${trigger.timezone})` : ''}`;
  try {
    const next = cronOccurrences(trigger.cron, trigger.timezone, now, 400 * 86_400_000)[0];
    if (next) status.nextOccurrence = next.toISOString();
  } catch {
    // An invalid cron is `skene check`'s to report.
  }
  return status;
}

/** The runner's state per loop and step: the config's steps, and any the state still mentions. */
export async function readStatus(options: { store: RunStateStore; config?: Pick<LoadedConfig, 'loops'>; label: string; now?: Date }): Promise<RunStatus> {
  const now = options.now ?? new Date();
  const loops = new Map<string, LoopStatus>();
  const stepOf = (loopId: string, stepNo: number): StepStatus => {
    let loop = loops.get(loopId);
    if (!loop) loops.set(loopId, (loop = { id: loopId, steps: [] }));
    let step = loop.steps.find((s) => s.step === stepNo);
    if (!step) {
      step = stepStatus(
        options.config?.loops.find((l) => l.id === loopId),
        stepNo,
        now,
      );
      loop.steps.push(step);
      loop.steps.sort((a, b) => a.step - b.step);
    }
    return step;
  };
  for (const loop of options.config?.loops ?? []) for (let i = 1; i <= loop.steps.length; i++) stepOf(loop.id, i);
  const c = await options.store.statusCounts();
  if (!c) return { database: options.label, started: false, loops: [...loops.values()] };
  for (const r of c.sends) {
    const s = stepOf(r.loop, r.step);
    if (r.state === 'sent') s.sent += r.n;
    else if (r.state === 'sending') s.sending += r.n;
    else if (r.state === 'failed') s.failed += r.n;
  }
  for (const r of [...c.progress, ...c.evaluationFailures]) {
    const s = stepOf(r.loop, r.step);
    if (r.state === 'waiting' || r.state === 'expired' || r.state === 'failed' || r.state === 'skipped') s[r.state] += r.n;
  }
  for (const e of c.errors) stepOf(e.loop, e.step).lastError = e.error;
  await addGoals({ store: options.store, config: options.config, stepOf });
  for (const p of c.paused) {
    if (!loops.has(p.loop)) loops.set(p.loop, { id: p.loop, steps: [] });
    loops.get(p.loop)!.paused = { reason: p.reason, since: p.since.toISOString() };
  }
  return { database: options.label, started: true, loops: [...loops.values()] };
}

/**
 * `readStatus` on the database a URL names (password never shown); for a MySQL, TiDB or Redis
 * source, on the state its runners keep (`stateUrl`, the source's own Redis, or `.skene/state` under `cwd`).
 */
export async function runStatus(options: {
  databaseUrl: string;
  stateUrl?: string;
  cwd?: string;
  config?: Pick<LoadedConfig, 'loops'>;
  now?: Date;
}): Promise<RunStatus> {
  if (capturesBesideState(options.databaseUrl)) {
    const state = await openState({ sourceUrl: options.databaseUrl, stateUrl: options.stateUrl, cwd: options.cwd ?? process.cwd() });
    try {
      return await readStatus({ store: state.store, config: options.config, label: state.label, now: options.now });
    } finally {
      await state.close();
    }
  }
  return withPgClient({ url: options.databaseUrl, name: 'skene status', doing: "read the runner's state" }, (db, label) =>
    readStatus({ store: postgresStateStore(db), config: options.config, label, now: options.now }),
  );
}
