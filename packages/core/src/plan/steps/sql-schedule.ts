/**
 * A schedule trigger on SQL: at each occurrence in the horizon, the condition runs with the clock
 * at that occurrence and every row it returns is a recipient (no condition: every row of the
 * people table, `users` or the one `defineConfig({ users })` names).
 */
import { peopleOf } from '../../analysis/people.js';
import { findParams, withoutTrailingSemicolon } from '../params.js';
import type * as SQL from '../sql.js';
import { allUsersQuery } from '../sql.js';
import { runStatement, StepFailure, type StepRun } from '../step-run.js';
import { plainRow } from '../values.js';
import { emitRecipients } from './recipients.js';
import { keyColumn, type SqlStep } from './sql-keys.js';

export async function sqlScheduleStep(run: StepRun, { source, session }: SqlStep): Promise<void> {
  const step = run.step;
  const dialect = source.dialect;
  let statement: SQL.Statement;
  if (step.condition?.type === 'query') {
    const params = findParams(step.condition.query, dialect);
    if (params.highest > 0) {
      throw new StepFailure(`the condition uses $${params.highest}, but a schedule trigger has no row: its query returns the recipients`, 'config');
    }
    statement = { sql: withoutTrailingSemicolon(step.condition.query), params: [] };
  } else {
    const people = peopleOf(run.ctx.config.users);
    const key = people.key ?? (await keyColumn((s) => runStatement(run, session, s), dialect, people.table));
    statement = allUsersQuery(dialect, people.table, key);
  }
  for (const occurrence of run.occurrences) {
    const rows = (await runStatement(run, session, statement, occurrence)).map(plainRow);
    await emitRecipients(run, rows, occurrence);
  }
}
