/**
 * A loop's goal (`goal: { type: 'query', query, within }`, or a Redis command), evaluated for a
 * batch of recipients at one clock. The plan and the runner share it: the plan counts, per step,
 * the planned recipients who already reached the goal and does not send them a later step ("not
 * sent: goal reached"); the runner checks each sent email's recipient until `within` has passed.
 *
 * A SQL goal is read exactly as a database trigger's condition is: the read-only guard first, then
 * one statement per batch of keys (conditionBatchQuery: the people table `LATERAL` the goal on
 * PostgreSQL, one `UNION ALL` branch per key on the MySQL dialect), `$1` being each recipient's
 * key in the people table. The goal's first column, when it is a timestamp, is when it was reached.
 */
import { peopleOf } from '../analysis/people.js';
import { interpolate } from '../email/index.js';
import { applyAllowFunctions, firstError, guardCondition, guardRedisCommand, GuardRefusal } from '../guard/index.js';
import type { PlannedEmail, StepReport } from '../report/model.js';
import type { DataSource, RedisSource, Row, SqlSession, SqlSource } from '../sources/types.js';
import { postgresCatalog } from './catalog.js';
import type { LoadedConfig } from './load-config.js';
import { DEFAULT_QUERY_TIMEOUT_MS } from './options.js';
import { findParams, withoutTrailingSemicolon } from './params.js';
import { withRetries, type RetryOptions } from './retry.js';
import * as SQL from './sql.js';
import type { StepCollector } from './step-collector.js';
import { loopContext, StepFailure, type Loop } from './step-run.js';
import { hashRow } from './steps/recipients.js';
import { truthy } from './steps/redis-database.js';
import { keyColumn } from './steps/sql-keys.js';
import { loadMysqlParser } from '../sql/mysql.js';
import { loadPostgresParser } from '../sql/postgres.js';

/** The not-sent reason of a later step's recipient who already reached the loop's goal. */
export const GOAL_REACHED = 'goal reached';

export interface GoalCheck {
  config: LoadedConfig;
  source: DataSource;
  loop: Loop;
  /** The clock the goal is read at (`now()` in the query). */
  at: Date;
  retry?: RetryOptions;
  maxQueryTimeoutMs?: number;
  /** Keys per statement (default 1000). */
  batchSize?: number;
}

/**
 * For each of `userKeys` that reached the loop's goal at `at`: when (the goal's first column, if a
 * timestamp), else null. Keys absent from the answer have not reached it. A loop without a goal: empty.
 */
export async function goalReached(check: GoalCheck, userKeys: readonly string[]): Promise<Map<string, Date | null>> {
  const goal = check.loop.goal;
  const reached = new Map<string, Date | null>();
  const keys = [...new Set(userKeys)];
  if (!goal || !keys.length) return reached;
  const source = check.source;
  if (source.dialect === 'redis') {
    if (goal.type !== 'redis')
      throw new StepFailure(`the goal is SQL but the data source is Redis (${source.label}): write { type: 'redis', command: [...] }`, 'config');
    refuse(guardRedisCommand(goal.command), undefined);
    await redisGoal(check, source, { condition: goal.command, keys, reached });
    return reached;
  }
  if (goal.type !== 'query')
    throw new StepFailure(`the goal is a Redis command but the data source is SQL (${source.label}): write { type: 'query', query: 'SELECT …' }`, 'config');
  const allowFunctions = check.config.database?.allowFunctions;
  // The guard reads the goal with the dialect's real parser (the runner calls this outside a plan).
  await (source.dialect === 'postgres' ? loadPostgresParser() : loadMysqlParser());
  refuse(guardCondition(goal.query, source.dialect), allowFunctions);
  const params = findParams(withoutTrailingSemicolon(goal.query), source.dialect);
  if (params.highest > 1) throw new StepFailure(`the goal uses $${params.highest}, but a goal gives only $1 (the recipient's user key)`, 'config');
  await source.readOnly(async (session) => {
    // Again with the database's own catalog, as a condition is: its functions may shadow built-ins.
    if (source.dialect === 'postgres') refuse(guardCondition(goal.query, 'postgres', await postgresCatalog(source, session, check.at)), allowFunctions);
    await sqlGoal(check, { source, session }, { condition: { ...params, allowFunctions }, keys, reached });
  });
  return reached;
}

function refuse(problems: Parameters<typeof applyAllowFunctions>[0], allowFunctions: readonly string[] | undefined): void {
  const refused = firstError(applyAllowFunctions(problems, allowFunctions));
  if (refused) throw new GuardRefusal(refused);
}

function timeoutOf(check: GoalCheck): number {
  return check.maxQueryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
}

interface Batch<C> {
  condition: C;
  keys: string[];
  reached: Map<string, Date | null>;
}

async function sqlGoal(check: GoalCheck, { source, session }: { source: SqlSource; session: SqlSession }, batch: Batch<SQL.BatchCondition>): Promise<void> {
  const q = (s: SQL.Statement) =>
    withRetries(() => session.query(s.sql, s.params, { at: check.at, timeoutMs: timeoutOf(check) }), check.loop.recovery, check.retry);
  const people = peopleOf(check.config.users);
  const key = people.key ?? (await keyColumn(q, source.dialect, people.table));
  const size = check.batchSize ?? 1000;
  for (let i = 0; i < batch.keys.length; i += size) {
    const rows = await q(SQL.conditionBatchQuery(source.dialect, people.table, key, batch.condition, batch.keys.slice(i, i + size)));
    for (const row of rows) {
      const { [SQL.KEY_COLUMN]: k, ...match } = row;
      batch.reached.set(String(k), timeOf(Object.values(match)[0]));
    }
  }
}

/**
 * The goal's first column as a time, when it is one: a Date, or the text of a timestamp as the
 * sources hand them over (`2026-03-02 09:00:00.123+00`; without a zone, UTC, as Skene reads MySQL).
 */
export function timeOf(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(value.trim());
  if (!m) return null;
  const zone = !m[3] ? 'Z' : m[3] === 'Z' ? 'Z' : m[3].length === 3 ? `${m[3]}:00` : m[3].includes(':') ? m[3] : `${m[3].slice(0, 3)}:${m[3].slice(3)}`;
  const date = new Date(`${m[1]}T${m[2]}${zone}`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A Redis goal: the people hashes of the batch in one round trip, then their filled commands in another. */
async function redisGoal(check: GoalCheck, source: RedisSource, { condition: command, keys, reached }: Batch<string[]>): Promise<void> {
  const read = (commands: string[][]) => withRetries(() => source.read(commands, timeoutOf(check)), check.loop.recovery, check.retry);
  const people = peopleOf(check.config.users);
  const loopRow = loopContext(check.loop);
  const size = check.batchSize ?? 1000;
  for (let i = 0; i < keys.length; i += size) {
    const page = keys.slice(i, i + size);
    const users = await read(page.map((k) => ['HGETALL', `${people.table}:${k}`]));
    const filled = page.map((k, j) => {
      const user: Row = hashRow(k, users[j]) ?? { id: k };
      const args = command.map((arg) => interpolate(arg, { user, loop: loopRow, now: check.at.toISOString() }));
      return args.some((a) => a.missing.length) ? undefined : args.map((a) => a.value);
    });
    const sent = filled.filter((c): c is string[] => c !== undefined);
    const replies = await read(sent);
    const failed = replies.find((r) => r instanceof Error) as Error | undefined;
    if (failed) throw new StepFailure(`Redis: ${failed.message} (in the goal ${command.join(' ')})`, 'query');
    let r = 0;
    page.forEach((k, j) => {
      if (filled[j] && truthy(replies[r++])) reached.set(k, null);
    });
  }
}

/** The people key column `$1` of the goal is read from: `users.key`, else the people table's primary key (`id` on Redis). */
export async function goalKeyColumn(check: Pick<GoalCheck, 'config' | 'source' | 'at' | 'loop' | 'retry' | 'maxQueryTimeoutMs'>): Promise<string> {
  const people = peopleOf(check.config.users);
  const source = check.source;
  if (people.key) return people.key;
  if (source.dialect === 'redis') return 'id';
  return source.readOnly((session) =>
    keyColumn(
      (s) => withRetries(() => session.query(s.sql, s.params, { at: check.at, timeoutMs: timeoutOf(check) }), check.loop.recovery, check.retry),
      source.dialect,
      people.table,
    ),
  );
}

/**
 * The plan's part, once a step's emails are made: how many planned recipients already reached the
 * goal (at each email's own clock: the plan's, or the schedule occurrence), and, from the loop's
 * second step on, those recipients taken out as "not sent: goal reached".
 */
export async function applyGoal(check: Omit<GoalCheck, 'at'>, step: { stepNo: number; collector: StepCollector; report: StepReport }): Promise<void> {
  const { collector, report } = step;
  const byClock = new Map<string, PlannedEmail[]>();
  for (const email of collector.emails) if (email?.userKey !== undefined) byClock.set(email.at, [...(byClock.get(email.at) ?? []), email]);
  const hit = new Set<PlannedEmail>();
  for (const [at, emails] of byClock) {
    const reached = await goalReached(
      { ...check, at: new Date(at) },
      emails.map((e) => e.userKey!),
    );
    for (const email of emails) if (reached.has(email.userKey!)) hit.add(email);
  }
  report.goalReached = hit.size;
  if (step.stepNo < 2 || !hit.size) return;
  collector.emails = collector.emails.filter((email) => {
    if (!hit.has(email)) return true;
    collector.counts.emails--;
    collector.skip(GOAL_REACHED, email.key);
    return false;
  });
}
