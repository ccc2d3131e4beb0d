/**
 * `$1` in a database trigger's condition is the triggering row's key. For batching, each `$1`
 * is replaced by an expression (a column of the trigger table, or a literal key); the
 * occurrences are found by PostgreSQL's parser (ParamRef nodes) or, for MySQL, in code outside
 * strings and comments.
 */
import { codeMask } from '../sql/lexical.js';
import { parsePostgres, visitPg } from '../sql/postgres.js';
import type { SqlDialect } from '../dialect.js';

export interface ParamUse {
  /** The condition alone, as it parsed. */
  text: string;
  /** Highest `$n` used (0 when none). */
  highest: number;
  /** Replaces every `$1` with `text`. */
  replace(text: string): string;
}

/**
 * The query without a final `;` (comments after it kept), so it can be wrapped as a subquery.
 * Wrapping also puts the closing parenthesis on its own line: a trailing `-- comment` must not
 * swallow it.
 */
export function withoutTrailingSemicolon(sql: string): string {
  const mask = codeMask(sql);
  for (let i = sql.length - 1; i >= 0; i--) {
    if (!mask[i] || /\s/.test(sql[i]!)) continue;
    return sql[i] === ';' ? sql.slice(0, i) + sql.slice(i + 1) : sql;
  }
  return sql;
}

export function findParams(sql: string, dialect: SqlDialect): ParamUse {
  const spans: { start: number; end: number; n: number }[] = [];
  if (dialect === 'postgres') {
    const parsed = parsePostgres(sql);
    if (parsed.ok) {
      const bytes = Buffer.from(sql, 'utf8');
      visitPg(parsed.ast, (type, node) => {
        if (type !== 'ParamRef' || typeof node.location !== 'number') return;
        const n = Number(node.number);
        const start = bytes.subarray(0, node.location).toString('utf8').length;
        const m = /^\$\d+/.exec(sql.slice(start));
        if (m) spans.push({ start, end: start + m[0].length, n });
      });
    }
  } else {
    const mask = codeMask(sql);
    for (const m of sql.matchAll(/\$(\d+)/g)) if (mask[m.index!]) spans.push({ start: m.index!, end: m.index! + m[0].length, n: Number(m[1]) });
  }
  spans.sort((a, b) => a.start - b.start);
  return {
    text: sql,
    highest: spans.reduce((max, s) => Math.max(max, s.n), 0),
    replace(text: string) {
      let out = '';
      let last = 0;
      for (const span of spans) {
        out += sql.slice(last, span.start) + (span.n === 1 ? text : sql.slice(span.start, span.end));
        last = span.end;
      }
      return out + sql.slice(last);
    },
  };
}
