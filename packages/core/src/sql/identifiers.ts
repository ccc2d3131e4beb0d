/**
 * SQL identifiers as each dialect writes them: the one quoting function of core (the engine's
 * statements and the starter's seed and loops both use it), and where a name in SQL text ends.
 */
import type { SqlDialect } from '../dialect.js';

/** Always quoted; `schema.table` is a qualified name, each part quoted. */
export function quoteIdent(dialect: SqlDialect, name: string): string {
  return name
    .split('.')
    .map((part) => (dialect === 'postgres' ? `"${part.replace(/"/g, '""')}"` : `\`${part.replace(/`/g, '``')}\``))
    .join('.');
}

/** Words that must be quoted where a person will read the SQL (the rest of the list never names a column). */
const RESERVED = new Set(
  ['user', 'order', 'group', 'table', 'select', 'from', 'where', 'limit', 'offset', 'end', 'default', 'check'].concat([
    'column',
    'references',
    'primary',
    'all',
    'and',
    'or',
    'to',
    'when',
    'desc',
    'asc',
    'both',
  ]),
);

/** Bare when the name needs no quotes (lowercase, not reserved), else quoted: SQL written for people to read. */
export function readableIdent(dialect: SqlDialect, name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !RESERVED.has(name) ? name : quoteIdent(dialect, name);
}

/**
 * Where a qualified name written in SQL ends: `start` is where its first part begins, `parts` how
 * many dot-separated identifiers (quoted or not, spaces around the dots allowed) it has.
 */
export function sqlNameEnd(text: string, start: number, parts: number): number {
  let at = start;
  for (let i = 0; i < parts; i++) {
    if (i > 0) {
      const dot = /^\s*\.\s*/.exec(text.slice(at));
      if (!dot) break;
      at += dot[0].length;
    }
    const quote = text[at];
    if (quote === '"' || quote === '`') {
      let end = at + 1;
      // A doubled quote is a quote inside the name.
      while (end < text.length && !(text[end] === quote && text[end + 1] !== quote)) end += text[end] === quote ? 2 : 1;
      at = Math.min(end + 1, text.length);
    } else at += /^[\w$]*/.exec(text.slice(at))![0].length;
  }
  return at;
}
