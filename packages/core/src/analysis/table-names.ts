/**
 * The one resolution of table names, shared by check (SKN040/SKN041), completion, hover, go to
 * definition and the plan, so that they never disagree on which table a name means.
 *
 * - A trigger's `table` is `table` or `schema.table` (MySQL: `database.table`), each part the
 *   name as the database stores it — exactly what the plan quotes part by part (`"crm"."users"`).
 * - SQL (schema files, conditions) is read by the parsers: unquoted names fold to lower case in
 *   PostgreSQL, quoted ones keep their case.
 * - An unqualified name resolves against PostgreSQL's search_path `public`: `users` and
 *   `public.users` are the same table, `crm.users` is another one. In the MySQL dialect a
 *   qualifier is a database; the schema files' unqualified tables live in the connection's
 *   database, which may be that one.
 * - A schema the schema files never mention (Supabase's `auth`, `pg_catalog`) is outside what
 *   they describe: its tables are not checked rather than called unknown.
 */
import type { SqlDialect } from '../dialect.js';
import { didYouMean } from './suggest.js';

// Where a name written in SQL ends is the parsers' business (sql/); its callers here keep finding it here.
export { sqlNameEnd } from '../sql/identifiers.js';

export const DEFAULT_SCHEMA = 'public';

/** The table whose row is `user` when a database trigger fires on it (in any schema). */
export const USERS_TABLE = 'users';

export interface TableRef {
  /** The schema (MySQL: database) as written; undefined = unqualified (search_path). */
  schema?: string;
  name: string;
}

/** The tables a catalog resolves in: the schema files' tables by `tableKey`, and the schemas they mention. */
export interface TableCatalog<T extends TableRef> {
  tables: Map<string, T>;
  schemas?: Set<string>;
}

/** A trigger's `table` string: the last dot separates the table from its schema. */
export function parseTableName(text: string): TableRef {
  const dot = text.lastIndexOf('.');
  return dot === -1 ? { name: text } : { schema: text.slice(0, dot), name: text.slice(dot + 1) };
}

/** PostgreSQL's `public.users` is `users`: the default schema is dropped, so each table has one key. */
export function normalizeRef(ref: TableRef): TableRef {
  return ref.schema === DEFAULT_SCHEMA || ref.schema === undefined ? { name: ref.name } : { schema: ref.schema, name: ref.name };
}

/** How the config names a table: `users` in the default schema, `crm.users` elsewhere (the catalog's key, completion's label). */
export function tableKey(ref: TableRef): string {
  const { schema, name } = normalizeRef(ref);
  return schema ? `${schema}.${name}` : name;
}

/** The table a name means, if the schema files create it. */
export function findTable<T extends TableRef>(catalog: TableCatalog<T>, ref: TableRef, dialect: SqlDialect = 'postgres'): T | undefined {
  const found = catalog.tables.get(tableKey(ref));
  if (found || dialect !== 'mysql' || !normalizeRef(ref).schema) return found;
  const bare = catalog.tables.get(ref.name);
  return bare && !bare.schema ? bare : undefined;
}

/** Whether the schema files speak for this name: unqualified and default-schema names always, others when their schema is mentioned. */
export function isChecked<T extends TableRef>(catalog: TableCatalog<T>, ref: TableRef): boolean {
  const schema = normalizeRef(ref).schema;
  return !schema || (catalog.schemas?.has(schema) ?? false);
}

/**
 * The name to suggest for an unknown table: the same table in another schema (`users` when only
 * `crm.users` exists: search_path is `public` alone), else the closest name.
 */
export function suggestTable<T extends TableRef>(catalog: TableCatalog<T>, ref: TableRef): string | undefined {
  const tables = [...catalog.tables.values()];
  const elsewhere = tables.filter((t) => t.name === ref.name);
  if (elsewhere.length === 1) return tableKey(elsewhere[0]!);
  const close = didYouMean(tableKey(ref), [...catalog.tables.keys()]);
  if (close) return close;
  // `crm.user_action` → `crm.user_actions`: the closest name within the same schema.
  const schema = normalizeRef(ref).schema;
  const siblings = tables.filter((t) => normalizeRef(t).schema === schema);
  const name = didYouMean(
    ref.name,
    siblings.map((t) => t.name),
  );
  return name ? tableKey({ schema, name }) : undefined;
}

/** Tables of one schema, for a message when nothing is close (`crm.nope`). */
export function tablesInSchema<T extends TableRef>(catalog: TableCatalog<T>, schema: string | undefined): string[] {
  const target = normalizeRef({ schema, name: '' }).schema;
  return [...catalog.tables.values()].filter((t) => normalizeRef(t).schema === target).map((t) => t.name);
}

/** A trigger on a table named `users` (in any schema, any case) fires on users: its row is `user`. */
export function isUsersTable(ref: TableRef | string): boolean {
  const { name } = typeof ref === 'string' ? parseTableName(ref) : ref;
  return name.toLowerCase() === USERS_TABLE;
}

/** The table's name as SQL text: parts quoted where the dialect would otherwise read them differently. */
export function sqlTableName(ref: TableRef, dialect: SqlDialect = 'postgres'): string {
  const { schema, name } = normalizeRef(ref);
  return [schema, name]
    .filter((p): p is string => p !== undefined)
    .map((p) => sqlIdent(p, dialect))
    .join('.');
}

function sqlIdent(part: string, dialect: SqlDialect): string {
  if (dialect === 'mysql') return /^[\w$]+$/.test(part) && !/^\d+$/.test(part) ? part : `\`${part.replace(/`/g, '``')}\``;
  return /^[a-z_][a-z0-9_$]*$/.test(part) ? part : `"${part.replace(/"/g, '""')}"`;
}
