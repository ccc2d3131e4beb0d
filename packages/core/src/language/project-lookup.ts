/**
 * The project around the cursor: which table `user`, `row` and `match` stand for in a step, and
 * which tables a query reads — for completion, hover and go to definition.
 */
import type { ProjectContext, TableInfo } from '../analysis/project.js';
import { USERS_TABLE } from '../analysis/rules/unknown-column.js';
import type { Anchor, Segment } from './cursor.js';

export const ROOT_DOCS: Record<string, string> = {
  user: 'The recipient: the users row (database triggers: the triggering row or the users row its user_id points to; schedules: each row the query returns).',
  row: 'The row that fired a database trigger.',
  match: 'The first row the condition query returned.',
  loop: 'The loop: id, type, opinion.',
  now: 'The time of the run (ISO 8601).',
};

export function loopPlaceholderFields(): { name: string; detail: string }[] {
  return [
    { name: 'id', detail: 'The loop id (explicit, or `<type>-<n>`)' },
    { name: 'type', detail: 'The loop type' },
    { name: 'opinion', detail: 'The loop\'s one-sentence description' },
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

export function userTableFor(project: ProjectContext): TableInfo | undefined {
  return project.schema?.tables.get(USERS_TABLE);
}

export function rowTable(step: StepData | undefined, project: ProjectContext): TableInfo | undefined {
  const table = step?.trigger?.type === 'database' ? step.trigger.table : undefined;
  return typeof table === 'string' ? project.schema?.tables.get(table) : undefined;
}

/** `match` is the condition's first row: the (first) table its query reads. */
export function matchTable(step: StepData | undefined, project: ProjectContext): TableInfo | undefined {
  const query = step?.condition?.query;
  if (typeof query !== 'string') return undefined;
  return sqlTablesIn(query, project).values().next().value;
}

const SQL_KEYWORDS = new Set(['where', 'join', 'left', 'right', 'inner', 'outer', 'full', 'cross', 'on', 'group', 'order', 'limit', 'having', 'union', 'as', 'using', 'natural', 'lateral', 'offset', 'window', 'for']);

/**
 * Tables a query names after FROM / JOIN (a lexical read, good enough for the editor), keyed by the
 * lower-cased table name and alias. Only tables the schema knows.
 */
export function sqlTablesIn(sql: string, project: ProjectContext): Map<string, TableInfo> {
  const out = new Map<string, TableInfo>();
  const tables = project.schema?.tables;
  if (!tables) return out;
  const re = /\b(?:from|join)\s+[`"]?([\w$]+)[`"]?(?:\s+(?:as\s+)?([\w$]+))?/gi;
  for (const m of sql.matchAll(re)) {
    const table = tables.get(m[1]) ?? [...tables.values()].find((t) => t.name.toLowerCase() === m[1].toLowerCase());
    if (!table) continue;
    if (!out.has(table.name.toLowerCase())) out.set(table.name.toLowerCase(), table);
    const alias = m[2]?.toLowerCase();
    if (alias && !SQL_KEYWORDS.has(alias) && !out.has(alias)) out.set(alias, table);
  }
  return out;
}
