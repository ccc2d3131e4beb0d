/**
 * What one step's evaluation works with: the plan's context, the step, and where its decisions
 * go. A trigger module (steps/) reads the step's events from the source and turns each into a
 * decision: `emit` (an email, once the emitter has its recipient, sender and body) or
 * `collector.skip` (waiting, or not sent, with the reason). The plan's report collects them; the
 * runner will consume the same decisions.
 */
import type { RenderSession, TemplateContext } from '../email/index.js';
import type { RenderPools } from '../email/render-pools.js';
import type { GuardProblem } from '../guard/index.js';
import type { RedisSource, Row, SqlSession } from '../sources/types.js';
import type { LoadedConfig } from './load-config.js';
import type { PlanOptions } from './options.js';
import { withRetries } from './retry.js';
import type { Statement } from './sql.js';
import type { StepCollector } from './step-collector.js';

export type Loop = LoadedConfig['loops'][number];
export type Step = Loop['steps'][number];
export type EmailAction = Step['action'];

export interface StepContext extends PlanOptions {
  at: Date;
  horizonMs: number;
  cwd: string;
  /** The plan's render threads, one pool per React template. */
  renderPools: RenderPools;
  /** The plan's templates, found and compiled once for every step that uses them. */
  renderSession: RenderSession;
}

/** Emits one qualifying event; `atIso` is when it would be sent, `occurrence` set for schedules. */
export type Emit = (context: TemplateContext, key: string, atIso: string, occurrence?: string) => void;

/** One step being evaluated: what a trigger module is given. */
export interface StepRun {
  ctx: StepContext;
  loop: Loop;
  step: Step;
  stepNo: number;
  /** The condition's deadline. */
  timeoutMs: number;
  /** The schedule's occurrences in the horizon (none for a database trigger). */
  occurrences: Date[];
  collector: StepCollector;
  emit: Emit;
  /** The loop has a goal: the people key column each email's `userKey` is read from (goal.ts). */
  goalKey?: string;
}

/** Why a step could not be evaluated; `kind` is the report's error kind. */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly kind: string,
    readonly attempts = 1,
    /** The guard's verdict when the read-only guard refused the step (its code and position). */
    readonly guard?: GuardProblem,
  ) {
    super(message);
  }
}

/** The loop as templates see it (`{{loop.id}}`). */
export function loopContext(loop: Loop): Row {
  return { id: loop.id, type: loop.type, opinion: loop.opinion };
}

/** Runs one statement with the loop's recovery policy, at the step's clock unless `at` is given. */
export function runStatement(run: StepRun, session: SqlSession, statement: Statement, at: Date = run.ctx.at): Promise<Row[]> {
  return withRetries(() => session.query(statement.sql, statement.params, { at, timeoutMs: run.timeoutMs }), run.loop.recovery, run.ctx.retry);
}

/** Redis commands in one round trip, with the loop's recovery policy. */
export function redisRead(run: StepRun, source: RedisSource, commands: string[][]) {
  return withRetries(() => source.read(commands, run.timeoutMs), run.loop.recovery, run.ctx.retry);
}
