/**
 * Whose row `user` is for a SQL database trigger, by the one people resolution
 * (analysis/people.ts) over the database's own catalog: the trigger table's columns and declared
 * foreign keys, read in the plan's read-only transaction. A seeded plan's catalog is built from the
 * same schema files the editor reads, so check and plan agree.
 */
import { isPeopleTable, noPersonReason, personRoute, type People, type PersonRoute } from '../../analysis/people.js';
import { parseTableName, tableKey } from '../../analysis/table-names.js';
import type { SqlDialect } from '../../dialect.js';
import type { Row } from '../../sources/types.js';
import * as SQL from '../sql.js';
import { plainRow } from '../values.js';
import { StepFailure } from '../step-run.js';
import { keyColumn } from './sql-keys.js';

type Query = (statement: SQL.Statement) => Promise<Row[]>;

export interface PersonFinder {
  route: PersonRoute;
  /** The people rows a page of trigger rows points at, by key (empty unless the route is a lookup). */
  fetch(page: Row[]): Promise<Map<string, Row>>;
  /** The row's person, from `fetch`'s answer. */
  userOf(row: Row, people: Map<string, Row>): Row | undefined;
  /** Why the row has no person: the step's not-sent reason. */
  reason: string;
}

export async function personFinder(input: { q: Query; dialect: SqlDialect; people: People; table: string; columns: string[] }): Promise<PersonFinder> {
  const { q, dialect, people, table, columns } = input;
  const ref = parseTableName(table);
  // The people table's own rows need no keys read.
  const foreignKeys = (isPeopleTable(people, ref) ? [] : await q(SQL.foreignKeysQuery(dialect, table))).map((r) => ({
    column: String(r.column_name),
    table: { ...(r.ref_schema ? { schema: String(r.ref_schema) } : {}), name: String(r.ref_table) },
    references: String(r.ref_column),
  }));
  const route = personRoute(people, { ref, columns, foreignKeys });
  if (route.kind !== 'lookup') {
    return {
      route,
      fetch: async () => new Map(),
      userOf: (row) => (route.kind === 'row' ? row : undefined),
      reason: `no user: ${noPersonReason(people, table)}`,
    };
  }
  const target = tableKey(route.table);
  // The key the foreign key names, else the configured key, else the table's primary key (or `id`).
  const key =
    route.references ??
    people.key ??
    (await keyColumn(q, dialect, target).catch((error: unknown) => {
      // A missing or key-less people table is the config's to fix; a source failure stays what it is.
      if (!(error instanceof StepFailure)) throw error;
      throw new StepFailure(`${error.message} (${target} is the people table: name yours with users: { table, key } in defineConfig)`, 'config');
    }));
  return {
    route,
    fetch: async (page) => {
      const users = new Map<string, Row>();
      const ids = [...new Set(page.map((r) => r[route.column]).filter((v) => v !== null && v !== undefined))];
      if (ids.length) for (const u of await q(SQL.usersQuery(dialect, target, key, ids))) users.set(String(u[key]), plainRow(u));
      return users;
    },
    userOf: (row, users) => users.get(String(row[route.column])),
    reason: `no user: ${table}.${route.column} matches no ${target} row`,
  };
}
