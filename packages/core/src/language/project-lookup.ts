/**
 * The project around the cursor: which table `user`, `row` and `match` stand for in a step, and
 * which tables a query reads — for completion, hover and go to definition.
 */
import type { ConfigDocument } from '../analysis/document.js';
import { documentPeople, personTable } from '../analysis/person-table.js';
import type { ProjectContext, TableInfo } from '../analysis/project.js';
import { findTable, parseTableName, tableKey, type TableRef } from '../analysis/table-names.js';
import type { Anchor, Segment } from './anchor.js';

export const ROOT_DOCS: Record<string, string> = {
  user: 'The recipient: a row of the people table (`users`, unless `defineConfig({ users: { table } })` names another) — the triggering row when it is one or has the email column, else the row its foreign key (or `user_id`) points to; in a schedule, each row the query returns.',
  row: 'The row that fired a database trigger.',
  match: 'The first row the condition query returned.',
  loop: 'The loop: id, type, opinion.',
  now: 'The time of the run (ISO 8601).',
};

export function loopPlaceholderFields(): { name: string; detail: string }[] {
  return [
    { name: 'id', detail: 'The loop id (explicit, or `<type>-<n>`)' },
    { name: 'type', detail: 'The loop type' },
    { name: 'opinion', detail: "The loop's one-sentence description" },
  ];
}

export interface StepData {
  trigger?: { type?: unknown; table?: unknown; cron?: unknown; timezone?: unknown };
  condition?: { type?: unknown; query?: unknown };
  action?: { template?: unknown };
}

/** The step (as plain data) a path inside `steps[i]` belongs to. */
export function stepOf(anchor: Anchor, path: readonly Segment[]): StepData | undefined {
  const i = path.lastIndexOf('steps');
  if (i === -1 || typeof path[i + 1] !== 'number') return undefined;
  let value: unknown = anchor.plain;
  for (const s of path.slice(0, i + 2)) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[s as never] : undefined;
  return value && typeof value === 'object' ? (value as StepData) : undefined;
}

/** The table `user` stands for in a step, as check and plan resolve it (analysis/person-table.ts). */
export function userTableFor(step: StepData | undefined, project: ProjectContext, doc: ConfigDocument): TableInfo | undefined {
  const query = typeof step?.condition?.query === 'string' ? step.condition.query : undefined;
  return personTable({
    people: documentPeople(doc),
    schema: project.schema,
    dialect: 'postgres',
    step: {
      triggerType: step?.trigger?.type,
      table: step?.trigger?.table,
      ...(step?.condition ? { query: query ?? '', queryTables: query ? [...sqlTablesIn(query, project).values()] : [] } : {}),
    },
  }).table;
}

export function rowTable(step: StepData | undefined, project: ProjectContext): TableInfo | undefined {
  const table = step?.trigger?.type === 'database' ? step.trigger.table : undefined;
  return typeof table === 'string' ? configTable(table, project) : undefined;
}

/** The table a trigger's `table` string names. */
export function configTable(text: string, project: ProjectContext): TableInfo | undefined {
  return project.schema ? findTable(project.schema, parseTableName(text)) : undefined;
}

/** `match` is the condition's first row: the (first) table its query reads. */
export function matchTable(step: StepData | undefined, project: ProjectContext): TableInfo | undefined {
  const query = step?.condition?.query;
  if (typeof query !== 'string') return undefined;
  return sqlTablesIn(query, project).values().next().value;
}

/**
 * The table a word of a query stands for: with the schema before it when there is one
 * (`crm.users`, hovering `users` or `crm`), else the word alone (a table or an alias).
 */
export function sqlTableAt(
  text: string,
  word: { start: number; end: number },
  tables: Map<string, TableInfo>,
): { table: TableInfo; range: { start: number; end: number } } | undefined {
  const before = /([\w$]+|"(?:[^"]|"")+")\s*\.\s*$/.exec(text.slice(Math.max(0, word.start - 256), word.start));
  const after = /^\s*\.\s*([\w$]+|"(?:[^"]|"")+")/.exec(text.slice(word.end));
  const range = (start: number, end: number) => ({ start, end });
  const chains = [
    before && { key: `${sqlIdentifier(before[1]!)}.${sqlIdentifier(text.slice(word.start, word.end))}`, range: range(word.start - before[0].length, word.end) },
    after && { key: `${sqlIdentifier(text.slice(word.start, word.end))}.${sqlIdentifier(after[1]!)}`, range: range(word.start, word.end + after[0].length) },
  ];
  for (const chain of chains) {
    const table = chain && tables.get(chain.key.toLowerCase());
    if (chain && table) return { table, range: chain.range };
  }
  // `u.email`: a column of alias `u`, not a table — only a word standing alone or before a dot is one.
  if (before) return undefined;
  const table = tables.get(text.slice(word.start, word.end).toLowerCase());
  return table ? { table, range: range(word.start, word.end) } : undefined;
}

const SQL_KEYWORDS = new Set([
  'where',
  'join',
  'left',
  'right',
  'inner',
  'outer',
  'full',
  'cross',
  'on',
  'group',
  'order',
  'limit',
  'having',
  'union',
  'as',
  'using',
  'natural',
  'lateral',
  'offset',
  'window',
  'for',
]);

/** An identifier as SQL reads it: quoted keeps its case, unquoted folds to lower case (PostgreSQL). */
export function sqlIdentifier(part: string): string {
  const quoted = /^(["`])(.*)\1$/.exec(part);
  return quoted ? quoted[2]!.replace(quoted[1] === '"' ? /""/g : /``/g, quoted[1]!) : part.toLowerCase();
}

const IDENT = '(?:"(?:[^"]|"")+"|`(?:[^`]|``)+`|[\\w$]+)';
const TABLE_AFTER = new RegExp(`\\b(?:from|join)\\s+(${IDENT}(?:\\s*\\.\\s*${IDENT})?)(?:\\s+(?:as\\s+)?([\\w$]+))?`, 'gi');

/**
 * Tables a query names after FROM / JOIN (a lexical read, good enough for the editor), keyed by
 * the lower-cased name as written (`crm.users`), the catalog's name and the alias. Only tables
 * the schema knows.
 */
export function sqlTablesIn(sql: string, project: ProjectContext): Map<string, TableInfo> {
  const out = new Map<string, TableInfo>();
  const schema = project.schema;
  if (!schema) return out;
  for (const m of sql.matchAll(TABLE_AFTER)) {
    const parts = m[1]!.split(new RegExp(`\\s*\\.\\s*(?=${IDENT}$)`));
    const ref: TableRef = parts.length === 2 ? { schema: sqlIdentifier(parts[0]!), name: sqlIdentifier(parts[1]!) } : { name: sqlIdentifier(parts[0]!) };
    // Case as written, for MySQL and for tables created with quoted mixed-case names.
    const written: TableRef =
      parts.length === 2 ? { schema: parts[0]!.replace(/["`]/g, ''), name: parts[1]!.replace(/["`]/g, '') } : { name: parts[0]!.replace(/["`]/g, '') };
    const table = findTable(schema, ref) ?? findTable(schema, written, 'mysql');
    if (!table) continue;
    for (const key of [m[1]!.replace(/\s+/g, '').toLowerCase(), tableKey(table).toLowerCase(), table.name.toLowerCase()])
      if (!out.has(key)) out.set(key, table);
    const alias = m[2]?.toLowerCase();
    if (alias && !SQL_KEYWORDS.has(alias) && !out.has(alias)) out.set(alias, table);
  }
  return out;
}
