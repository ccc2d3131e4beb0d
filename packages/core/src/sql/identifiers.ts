/**
 * SQL identifiers as each dialect writes them: the one quoting function of core (the engine's
 * statements and the starter's seed and loops both use it).
 */
import type { SqlDialect } from '../sources/types.js';

/** Always quoted; `schema.table` is a qualified name, each part quoted. */
export function quoteIdent(dialect: SqlDialect, name: string): string {
  return name
    .split('.')
    .map((part) => (dialect === 'postgres' ? `"${part.replace(/"/g, '""')}"` : `\`${part.replace(/`/g, '``')}\``))
    .join('.');
}

/** Words that must be quoted where a person will read the SQL (the rest of the list never names a column). */
const RESERVED = new Set(
  ['user', 'order', 'group', 'table', 'select', 'from', 'where', 'limit', 'offset', 'end', 'default', 'check']
    .concat(['column', 'references', 'primary', 'all', 'and', 'or', 'to', 'when', 'desc', 'asc', 'both']),
);

/** Bare when the name needs no quotes (lowercase, not reserved), else quoted: SQL written for people to read. */
export function readableIdent(dialect: SqlDialect, name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !RESERVED.has(name) ? name : quoteIdent(dialect, name);
}
