/**
 * A database trigger on SQL: every row of the table (or those created since `--since`) is one
 * event, read a page at a time in key order; the condition is evaluated for the whole page in one
 * statement (PostgreSQL: the page `LEFT JOIN LATERAL` the condition; MySQL: a batch query), never
 * one round trip per row. The user is found by the people resolution (./sql-person.ts).
 */
import { needsPerson, peopleOf, personTexts } from '../../analysis/people.js';
import type { Row } from '../../sources/types.js';
import { WAITING } from '../options.js';
import { findParams, withoutTrailingSemicolon } from '../params.js';
import { withRetries } from '../retry.js';
import * as SQL from '../sql.js';
import { loopContext, runStatement, StepFailure, type Step, type StepRun } from '../step-run.js';
import { plainRow, plainValue } from '../values.js';
import { keyColumn, type SqlStep } from './sql-keys.js';
import { personFinder } from './sql-person.js';

export async function sqlDatabaseStep(run: StepRun, { source, session }: SqlStep): Promise<void> {
  const { ctx, loop, step, timeoutMs, collector, emit } = run;
  const trigger = step.trigger as Extract<Step['trigger'], { type: 'database' }>;
  const dialect = source.dialect;
  const q = (statement: SQL.Statement) => runStatement(run, session, statement);
  const table = trigger.table;
  const key = await keyColumn(q, dialect, table);
  const columns = (await q(SQL.columnsQuery(dialect, table))).map((r) => String(r.column_name));
  let since: { column: string; at: Date } | undefined;
  if (ctx.since) {
    const column = ['created_at', 'inserted_at', 'createdAt', 'created'].find((c) => columns.includes(c));
    if (!column) throw new StepFailure(`--since needs a creation time on ${table}: it has no created_at column`, 'config');
    since = { column, at: ctx.since };
  }
  const condition =
    step.condition?.type === 'query'
      ? { ...findParams(withoutTrailingSemicolon(step.condition.query), dialect), allowFunctions: ctx.config.database?.allowFunctions }
      : undefined;
  if (condition && condition.highest > 1) {
    throw new StepFailure(`the condition uses $${condition.highest}, but a database trigger gives only $1 (the ${table} row's ${key})`, 'config');
  }
  const person = await personFinder({ q, dialect, people: peopleOf(ctx.config.users), table, columns });
  const needsUser = needsPerson(personTexts(step.action));
  const batchSize = ctx.batchSize ?? 1000;
  const loopRow = loopContext(loop);
  const atIso = ctx.at.toISOString();

  let afterKey: unknown;
  for (;;) {
    let page: Row[];
    const matches = new Map<string, Row>();
    if (condition && dialect === 'postgres' && session.queryArrays) {
      // Rows and their condition in one set-based statement per batch.
      const statement = SQL.pageWithConditionQuery(table, key, condition, { afterKey, since, keys: ctx.keys, limit: batchSize });
      const result = await withRetries(() => session.queryArrays!(statement.sql, statement.params, { at: ctx.at, timeoutMs }), loop.recovery, ctx.retry);
      const hit = result.fields.lastIndexOf(SQL.HIT_COLUMN);
      page = result.rows.map((values) => {
        const row: Row = {};
        for (let i = 0; i < hit; i++) row[result.fields[i]!] = plainValue(values[i]);
        if (values[hit] !== null) {
          const match: Row = {};
          for (let i = hit + 1; i < values.length; i++) match[result.fields[i]!] = plainValue(values[i]);
          matches.set(String(row[key]), match);
        }
        return row;
      });
    } else {
      page = (await q(SQL.pageQuery(dialect, table, key, { afterKey, since, keys: ctx.keys, limit: batchSize }))).map(plainRow);
      if (condition && page.length) {
        for (const row of await q(
          SQL.conditionBatchQuery(
            dialect,
            table,
            key,
            condition,
            page.map((r) => r[key]),
          ),
        )) {
          const { [SQL.KEY_COLUMN]: k, ...match } = row;
          matches.set(String(k), plainRow(match));
        }
      }
    }
    if (page.length === 0) break;
    afterKey = page[page.length - 1]![key];
    const users = await person.fetch(page);
    for (const row of page) {
      const k = String(row[key]);
      collector.counts.events++;
      if (condition && !matches.has(k)) {
        collector.skip(WAITING, k, true);
        continue;
      }
      const user = person.userOf(row, users) ?? null;
      if (!user && needsUser) {
        collector.skip(person.reason, k);
        continue;
      }
      emit({ user, row, match: matches.get(k) ?? null, loop: loopRow, now: atIso }, k, atIso);
      if (collector.full) await collector.next();
    }
    if (page.length < batchSize) break;
  }
}
