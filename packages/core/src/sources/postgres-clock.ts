/**
 * Pins PostgreSQL's clock in a query: `now()`, `CURRENT_TIMESTAMP`, `CURRENT_DATE`, `LOCALTIMESTAMP`…
 * become literals of the plan's instant. The nodes are located with PostgreSQL's own parser
 * (libpg-query), so a `now()` inside a string or a comment, or a column called `now`, is left alone.
 */
import { loadPostgresParser, parsePostgres, visitPg } from '../sql/postgres.js';

export { loadPostgresParser };

/** Functions that read the clock, by their unqualified name (they take no arguments). */
const CLOCK_FUNCTIONS = new Set(['now', 'transaction_timestamp', 'statement_timestamp', 'clock_timestamp']);

/** What each SQL value function becomes, given the pinned `timestamptz` literal. */
const VALUE_FUNCTIONS: Record<string, (ts: string) => string> = {
  SVFOP_CURRENT_TIMESTAMP: (ts) => ts,
  SVFOP_CURRENT_TIMESTAMP_N: (ts) => ts,
  SVFOP_CURRENT_DATE: (ts) => `${ts}::date`,
  SVFOP_CURRENT_TIME: (ts) => `${ts}::timetz`,
  SVFOP_CURRENT_TIME_N: (ts) => `${ts}::timetz`,
  SVFOP_LOCALTIME: (ts) => `${ts}::time`,
  SVFOP_LOCALTIME_N: (ts) => `${ts}::time`,
  SVFOP_LOCALTIMESTAMP: (ts) => `${ts}::timestamp`,
  SVFOP_LOCALTIMESTAMP_N: (ts) => `${ts}::timestamp`,
};

const FUNCTION_CALL = /^(?:(?:"pg_catalog"|pg_catalog)\s*\.\s*)?(?:"[a-z_]+"|[a-z_]+)\s*\(\s*\)/i;
const VALUE_FUNCTION = /^(?:current_timestamp|current_date|current_time|localtimestamp|localtime)(?:\s*\(\s*\d+\s*\))?/i;

export interface PinnedSql {
  sql: string;
  /** How many clock reads were replaced. */
  replaced: number;
}

/**
 * Rewrites every clock read in `sql` to `at` (the session's time zone is UTC, so `CURRENT_DATE`
 * is the UTC date). Needs `await loadPostgresParser()` first. SQL the parser rejects is returned
 * unchanged: the database will report the syntax error itself.
 */
export function pinPostgresClock(sql: string, at: Date): PinnedSql {
  const parsed = parsePostgres(sql);
  if (!parsed.ok) return { sql, replaced: 0 };
  const bytes = Buffer.from(sql, 'utf8');
  const literal = `'${at.toISOString()}'::timestamptz`;
  const edits: { start: number; end: number; text: string }[] = [];
  visitPg(parsed.ast, (type, node) => {
    const location = typeof node.location === 'number' ? node.location : -1;
    if (location < 0) return;
    // libpg-query reports byte offsets; match on the text from that byte on.
    const rest = bytes.subarray(location).toString('utf8');
    if (type === 'FuncCall') {
      const names = (node.funcname as { String?: { sval?: string } }[] | undefined) ?? [];
      const name = names[names.length - 1]?.String?.sval?.toLowerCase();
      const schema = names.length > 1 ? names[0]?.String?.sval?.toLowerCase() : 'pg_catalog';
      if (!name || !CLOCK_FUNCTIONS.has(name) || schema !== 'pg_catalog' || node.args) return;
      const match = FUNCTION_CALL.exec(rest);
      if (match) edits.push({ start: location, end: location + Buffer.byteLength(match[0]), text: `(${literal})` });
    } else if (type === 'SQLValueFunction') {
      const replace = VALUE_FUNCTIONS[String(node.op)];
      const match = VALUE_FUNCTION.exec(rest);
      if (replace && match) edits.push({ start: location, end: location + Buffer.byteLength(match[0]), text: `(${replace(literal)})` });
    }
  });
  if (edits.length === 0) return { sql, replaced: 0 };
  edits.sort((a, b) => a.start - b.start);
  const parts: Buffer[] = [];
  let last = 0;
  for (const edit of edits) {
    if (edit.start < last) continue; // nested (cannot happen for argument-less calls), keep the outer one
    parts.push(bytes.subarray(last, edit.start), Buffer.from(edit.text, 'utf8'));
    last = edit.end;
  }
  parts.push(bytes.subarray(last));
  return { sql: Buffer.concat(parts).toString('utf8'), replaced: edits.length };
}
