/** What SQL trigger modules share: the source and its read-only session, and a table's key. */
import type { Row, SqlSession, SqlSource } from '../../sources/types.js';
import * as SQL from '../sql.js';
import { StepFailure } from '../step-run.js';

/** The SQL source a step reads, and the read-only session it reads in. */
export interface SqlStep {
  source: SqlSource;
  session: SqlSession;
}

/** The table's one key column: its primary key, else `id`; a failure of the step otherwise. */
export async function keyColumn(q: (s: SQL.Statement) => Promise<Row[]>, dialect: SqlSource['dialect'], table: string): Promise<string> {
  const found = (await q(SQL.tableExistsQuery(dialect, table)))[0]?.found;
  if (!found || found === '0') throw new StepFailure(`table ${table} does not exist in the database`, 'config');
  const keys = (await q(SQL.primaryKeyQuery(dialect, table))).map((r) => String(r.column_name));
  if (keys.length > 1) throw new StepFailure(`${table} has a composite primary key (${keys.join(', ')}): a database trigger's $1 is one key`, 'config');
  if (keys.length === 1) return keys[0]!;
  const columns = (await q(SQL.columnsQuery(dialect, table))).map((r) => String(r.column_name));
  if (columns.includes('id')) return 'id';
  throw new StepFailure(`${table} has no primary key and no id column: a database trigger needs one key per row`, 'config');
}
