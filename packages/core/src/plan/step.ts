/**
 * One step at one clock: `evaluateStep` checks the condition with the read-only guard, then hands
 * the step to its trigger's module (steps/), which turns the source's events into decisions;
 * `planStep` is the plan's consumer of those decisions — the step's report (counts, emails in
 * key order, reasons not sent, the error that stopped the step).
 */
import { applyAllowFunctions, firstError, guardCondition, guardRedisCommand, GuardRefusal, type GuardProblem } from '../guard/index.js';
import { EmailTemplateError } from '../email/index.js';
import { emptyCounts, type PlannedEmail, type StepReport } from '../report/model.js';
import { formatMs } from '../sources/postgres-session.js';
import { SourceError } from '../sources/types.js';
import { postgresCatalog } from './catalog.js';
import { cronOccurrences, parseDuration } from './clock.js';
import { emitter } from './emit.js';
import { applyGoal, goalKeyColumn } from './goal.js';
import { DEFAULT_QUERY_TIMEOUT_MS } from './options.js';
import { RetriedError } from './retry.js';
import { StepCollector } from './step-collector.js';
import { applySuppressions } from './suppression.js';
import { StepFailure, type Loop, type Step, type StepContext, type StepRun } from './step-run.js';
import { redisDatabaseStep } from './steps/redis-database.js';
import { redisScheduleStep } from './steps/redis-schedule.js';
import { sqlDatabaseStep } from './steps/sql-database.js';
import { sqlScheduleStep } from './steps/sql-schedule.js';
import { sortByKey } from './values.js';

export async function planStep(ctx: StepContext, loop: Loop, step: Step, stepNo: number): Promise<StepReport> {
  const timeoutMs = queryTimeout(ctx, step.condition?.timeout);
  const trigger = step.trigger;
  const occurrences = trigger.type === 'schedule' ? safeOccurrences(trigger.cron, trigger.timezone, ctx.at, ctx.horizonMs) : [];
  const report = emptyStepReport(step, stepNo, { timeoutMs, occurrences: occurrences instanceof Error ? [] : occurrences });
  const collector = new StepCollector();
  const run: StepRun = { ctx, loop, step, stepNo, timeoutMs, occurrences: occurrences instanceof Error ? [] : occurrences, collector, emit: () => {} };
  try {
    if (occurrences instanceof Error) throw new StepFailure(occurrences.message, 'config');
    // A loop with a goal: each email notes its recipient's key, the goal's $1 (goal.ts).
    if (loop.goal) run.goalKey = await goalKeyColumn({ ...ctx, loop });
    const { emit, warmUp, flush, finish } = emitter(run);
    run.emit = emit;
    // A whole step (not the runner's few captured keys): it most likely sends, so get its template ready.
    if (ctx.keys === undefined) warmUp();
    await evaluateStep(run, report);
    flush();
    await collector.settle();
    await finish();
    await applySuppressions(run);
    if (loop.goal) await applyGoal({ ...ctx, loop }, { stepNo, collector, report });
  } catch (error) {
    await collector.abandon();
    const failure = toFailure(error);
    collector.counts.errors++;
    report.errors.push({
      loop: loop.id,
      step: stepNo,
      kind: failure.kind,
      message: failure.message,
      attempts: failure.attempts,
      ...(failure.guard ? { code: failure.guard.code, offset: failure.guard.start } : {}),
    });
  }
  report.counts = collector.counts;
  // Key order by code point / number, not the database's collation: every source lists alike.
  report.emails = sortByKey(
    collector.emails.includes(undefined as unknown as PlannedEmail) ? collector.emails.filter((e) => e !== undefined) : collector.emails,
    (e) => e.key,
    (e) => e.at,
  );
  report.counts.emails = report.emails.length;
  report.notSent = [...collector.notSent].map(([reason, v]) => ({ reason, count: v.count, examples: v.examples }));
  return report;
}

/**
 * The step's events, from its source, as decisions (`run.emit`, `run.collector.skip`), once the
 * condition has passed the read-only guard. Guard warnings (vouched-for functions) go to `report`.
 */
export async function evaluateStep(run: StepRun, report: StepReport): Promise<void> {
  const { ctx, step } = run;
  const condition = step.condition;
  const source = ctx.source;
  const allowFunctions = ctx.config.database?.allowFunctions;
  if (source.dialect === 'redis') {
    if (condition?.type === 'query') {
      throw new StepFailure(
        `the condition is SQL but the data source is Redis (${source.label}): Redis has no SQL — write { type: 'redis', command: ['SISMEMBER', 'user_actions:{{user.id}}', 'first_project_created'] }`,
        'config',
      );
    }
    if (condition?.type === 'redis') refuseUnlessAllowed(guardRedisCommand(condition.command), undefined, report);
    if (step.trigger.type === 'database') await redisDatabaseStep(run, source);
    else await redisScheduleStep(run, source);
    return;
  }
  if (condition?.type === 'redis') {
    throw new StepFailure(
      `the condition is a Redis command but the data source is SQL (${source.label}): write { type: 'query', query: 'SELECT …' }`,
      'config',
    );
  }
  if (condition) refuseUnlessAllowed(guardCondition(condition.query, source.dialect), allowFunctions, report);
  await source.readOnly(async (session) => {
    // Again with the database's own catalog: its functions and operators, which may shadow built-ins.
    if (condition && source.dialect === 'postgres') {
      refuseUnlessAllowed(guardCondition(condition.query, 'postgres', await postgresCatalog(source, session, ctx.at)), allowFunctions, undefined);
    }
    if (step.trigger.type === 'database') await sqlDatabaseStep(run, { source, session });
    else await sqlScheduleStep(run, { source, session });
  });
}

/** The step's report before it is evaluated: its trigger, condition and deadline, no events yet. */
function emptyStepReport(step: Step, stepNo: number, { timeoutMs, occurrences }: { timeoutMs: number; occurrences: Date[] }): StepReport {
  const { trigger, condition } = step;
  return {
    step: stepNo,
    trigger:
      trigger.type === 'database'
        ? { type: 'database', table: trigger.table, event: trigger.event }
        : { type: 'schedule', cron: trigger.cron, timezone: trigger.timezone ?? 'UTC', occurrences: occurrences.map((d) => d.toISOString()) },
    ...(condition
      ? {
          condition:
            condition.type === 'query'
              ? {
                  type: 'query' as const,
                  query: condition.query.trim(),
                  ...(condition.timeout ? { timeout: condition.timeout } : {}),
                  deadline: formatMs(timeoutMs),
                }
              : {
                  type: 'redis' as const,
                  command: condition.command,
                  ...(condition.timeout ? { timeout: condition.timeout } : {}),
                  deadline: formatMs(timeoutMs),
                },
        }
      : {}),
    template: step.action.template,
    counts: emptyCounts(),
    notSent: [],
    emails: [],
    errors: [],
  };
}

function refuseUnlessAllowed(problems: readonly GuardProblem[], allowFunctions: readonly string[] | undefined, report: StepReport | undefined): void {
  const verdict = applyAllowFunctions(problems, allowFunctions);
  const refused = firstError(verdict);
  if (refused) throw new GuardRefusal(refused);
  if (report) for (const warning of verdict) (report.warnings ??= []).push({ code: warning.code, message: warning.message, offset: warning.start });
}

function toFailure(error: unknown): StepFailure {
  if (error instanceof StepFailure) return error;
  if (error instanceof GuardRefusal) return new StepFailure(error.message, 'read-only', 1, error.problem);
  if (error instanceof RetriedError) {
    const inner = toFailure(error.cause);
    return new StepFailure(error.attempts > 1 ? `${inner.message} (${error.attempts} attempts)` : inner.message, inner.kind, error.attempts);
  }
  if (error instanceof SourceError) return new StepFailure(error.message, error.kind);
  if (error instanceof EmailTemplateError) return new StepFailure(error.message, 'template');
  return new StepFailure(error instanceof Error ? error.message : String(error), 'error');
}

function safeOccurrences(cron: string, timezone: string | undefined, at: Date, horizonMs: number): Date[] | Error {
  try {
    return cronOccurrences(cron, timezone, at, horizonMs);
  } catch (error) {
    return new Error(`invalid schedule "${cron}"${timezone ? ` in ${timezone}` : ''}: ${(error as Error).message}`);
  }
}

function queryTimeout(ctx: StepContext, timeout: string | undefined): number {
  const cap = ctx.maxQueryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const wanted = timeout ? parseDuration(timeout) : undefined;
  return Math.min(wanted ?? cap, cap);
}
