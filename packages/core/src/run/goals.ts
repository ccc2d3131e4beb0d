/**
 * The runner's side of a loop's goal: each email of a loop with a goal is tracked with its
 * recipient's user key when it is recorded, armed when it is sent (at the run's clock), and then
 * checked — on a backoff like a waiting condition's (5 s, 10 s, 20 s … at most 10 min apart) — until
 * `sent + within`. The first check that sees the goal settles the email converted, at the goal's
 * first column when it is a timestamp, else at that check's clock; once the window has passed
 * without it, not converted. Each is settled once (goal-store.ts). The goal is read by the plan's
 * own code (plan/goal.ts), in one statement per batch of recipients.
 */
import { goalReached } from '../plan/goal.js';
import { parseDuration } from '../plan/clock.js';
import type { PlannedEmail } from '../report/model.js';
import type { DueGoal, GoalUpdate, TrackedGoal } from './goal-store.js';
import { nextCheck } from './jobs.js';
import type { LoadedConfig } from '../plan/load-config.js';
import type { DataSource } from '../sources/types.js';
import type { RunStateStore } from './state-store.js';

/** Goals checked per pass (the store reads them soonest first). */
const DUE_LIMIT = 10_000;

/** What goal tracking needs of the runner's context (work.ts's WorkContext has it). */
export interface GoalContext {
  config: LoadedConfig;
  store: RunStateStore;
  source: DataSource;
  at: Date;
  paused: Map<string, string>;
  log: (entry: { decision: 'converted' | 'not-converted' | 'retry'; loop: string; step: number; emailId?: string; reason?: string }) => void;
}

/** Records the goals of a loop's planned emails, before they are sent (only the plan knows the user key). */
export async function trackGoals(ctx: GoalContext, input: { loop: string; step: number; emails: readonly PlannedEmail[] }): Promise<void> {
  const withinMs = windowOf(ctx, input.loop);
  if (withinMs === undefined) return;
  const goals = input.emails.flatMap((e): TrackedGoal[] =>
    e.userKey === undefined ? [] : [{ emailId: e.id, loop: input.loop, step: input.step, userKey: e.userKey, withinMs }],
  );
  await ctx.store.goals.track(goals);
}

/** The emails were sent (or found sent): their goals are checked from the run's clock on. */
export async function goalsSent(ctx: GoalContext, loop: string, emailIds: string[]): Promise<void> {
  if (emailIds.length && windowOf(ctx, loop) !== undefined) await ctx.store.goals.sent(emailIds, ctx.at);
}

function windowOf(ctx: GoalContext, loop: string): number | undefined {
  const within = ctx.config.loops.find((l) => l.id === loop)?.goal?.within;
  return within === undefined ? undefined : parseDuration(within);
}

/**
 * Checks the goals due at the run's clock, one goal statement per loop and batch of recipients,
 * and settles them. A loop whose goal cannot be read (an error, a paused loop) is left for the
 * next pass: its goals stay due. Returns how many goals were settled.
 */
export async function checkGoals(ctx: GoalContext): Promise<number> {
  const loops = ctx.config.loops.filter((l) => l.goal && !ctx.paused.has(l.id));
  if (!loops.length) return 0;
  const due = await ctx.store.goals.due(
    ctx.at,
    loops.map((l) => l.id),
    DUE_LIMIT,
  );
  let settled = 0;
  for (const loop of loops) {
    const mine = due.filter((g) => g.loop === loop.id);
    if (!mine.length) continue;
    let reached: Map<string, Date | null>;
    try {
      reached = await goalReached(
        { config: ctx.config, source: ctx.source, loop, at: ctx.at },
        mine.map((g) => g.userKey),
      );
    } catch (error) {
      ctx.log({ decision: 'retry', loop: loop.id, step: 0, reason: `goal: ${error instanceof Error ? error.message : String(error)}` });
      continue;
    }
    const updates = mine.map((g) => verdict(ctx, g, reached));
    settled += await ctx.store.goals.update(updates);
    for (const [i, update] of updates.entries()) {
      const g = mine[i]!;
      if (update.state === 'converted')
        ctx.log({ decision: 'converted', loop: g.loop, step: g.step, emailId: g.emailId, reason: `goal reached at ${update.convertedAt.toISOString()}` });
      if (update.state === 'not-converted')
        ctx.log({ decision: 'not-converted', loop: g.loop, step: g.step, emailId: g.emailId, reason: `goal not reached by ${g.deadline.toISOString()}` });
    }
  }
  return settled;
}

/**
 * One goal's check. Reached: converted, at the goal's time if it gave one, else now; a time past
 * the window is no conversion. Not reached: checked again on the backoff, or, once the window has
 * passed, not converted.
 */
function verdict(ctx: GoalContext, goal: DueGoal, reached: Map<string, Date | null>): GoalUpdate {
  const within = ctx.at.getTime() <= goal.deadline.getTime();
  if (reached.has(goal.userKey)) {
    const at = reached.get(goal.userKey) ?? (within ? ctx.at : undefined);
    if (at && at.getTime() <= goal.deadline.getTime()) return { emailId: goal.emailId, state: 'converted', convertedAt: at };
  }
  if (!within || ctx.at.getTime() === goal.deadline.getTime()) return { emailId: goal.emailId, state: 'not-converted' };
  return { emailId: goal.emailId, state: 'checking', nextCheckAt: nextCheck(ctx.at, goal.checks, goal.deadline) };
}
