/**
 * Syntax that one dialect accepts and the other rejects, with the rewrite. The TiDB page's
 * `NOW() - INTERVAL '7 days'` is PostgreSQL's; MySQL wants `INTERVAL 7 DAY`.
 */
import type { Dialect } from '../dialect.js';
import { codeMatches } from './lexical.js';

export interface DialectProblem {
  start: number;
  end: number;
  message: string;
  /** The replacement for [start, end), when there is a mechanical one. */
  replacement?: string;
  fixTitle?: string;
}

const UNITS = 'microsecond|millisecond|second|minute|hour|day|week|month|quarter|year';
const PG_INTERVAL = new RegExp(`\\bINTERVAL\\s*'\\s*(\\d+)\\s*(${UNITS})s?\\s*'`, 'gi');
const MYSQL_INTERVAL = new RegExp(`\\bINTERVAL\\s+(\\d+)\\s+(${UNITS})\\b`, 'gi');

export function dialectProblems(sql: string, dialect: Dialect): DialectProblem[] {
  if (dialect === 'mysql') return mysqlProblems(sql);
  if (dialect === 'postgres') return postgresProblems(sql);
  return [];
}

function mysqlProblems(sql: string): DialectProblem[] {
  const problems: DialectProblem[] = [];
  for (const m of codeMatches(sql, PG_INTERVAL)) {
    const replacement = `INTERVAL ${m[1]} ${m[2].toUpperCase()}`;
    problems.push({
      start: m.index,
      end: m.index + m[0].length,
      message: `\`${m[0]}\` is PostgreSQL syntax; the MySQL dialect (TiDB, MySQL, MariaDB) rejects a quoted interval. Write \`${replacement}\`.`,
      replacement,
      fixTitle: `Rewrite as MySQL: ${replacement}`,
    });
  }
  for (const m of codeMatches(sql, /::\s*[A-Za-z_][\w ]*?(?=[\s),;]|$)/g)) {
    problems.push({
      start: m.index,
      end: m.index + m[0].length,
      message: `\`${m[0].trim()}\` casts are PostgreSQL syntax; in the MySQL dialect use \`CAST(value AS type)\`.`,
    });
  }
  for (const m of codeMatches(sql, /\bILIKE\b/gi)) {
    problems.push({
      start: m.index,
      end: m.index + m[0].length,
      message: '`ILIKE` is PostgreSQL syntax; in the MySQL dialect `LIKE` is already case-insensitive under the default collations.',
      replacement: 'LIKE',
      fixTitle: 'Rewrite as MySQL: LIKE',
    });
  }
  return problems;
}

function postgresProblems(sql: string): DialectProblem[] {
  return codeMatches(sql, MYSQL_INTERVAL).map((m) => {
    const replacement = `INTERVAL '${m[1]} ${m[2].toLowerCase()}${m[1] === '1' ? '' : 's'}'`;
    return {
      start: m.index,
      end: m.index + m[0].length,
      message: `\`${m[0]}\` is MySQL syntax; PostgreSQL wants a quoted interval: \`${replacement}\`.`,
      replacement,
      fixTitle: `Rewrite as PostgreSQL: ${replacement}`,
    };
  });
}

/** `sql` with every mechanical rewrite applied, and a map from rewritten offsets back to the original. */
export function applyRewrites(sql: string, problems: DialectProblem[]): { text: string; toOriginal: (offset: number) => number } {
  const edits = problems.filter((p) => p.replacement !== undefined).sort((a, b) => a.start - b.start);
  let text = '';
  let last = 0;
  const marks: { at: number; delta: number; originalEnd: number }[] = [];
  for (const e of edits) {
    text += sql.slice(last, e.start) + e.replacement;
    last = e.end;
    marks.push({ at: text.length, delta: e.end - e.start - e.replacement!.length, originalEnd: e.end });
  }
  text += sql.slice(last);
  return {
    text,
    toOriginal(offset) {
      let shift = 0;
      for (const m of marks) if (m.at <= offset) shift += m.delta;
      return offset + shift;
    },
  };
}
