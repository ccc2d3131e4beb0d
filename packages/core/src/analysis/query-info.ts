/**
 * What analysis needs to know of a condition query, whichever dialect parsed it: what the
 * read-only guard says of it, which tables does it read, which `$n` does it use, and where.
 */
import type { SqlDialect } from '../dialect.js';
import { guardCondition, guardParsedPostgresCondition, type GuardProblem } from '../guard/index.js';
import { mysqlParserText } from '../guard/mysql-lexer.js';
import { applyRewrites, dialectProblems, type DialectProblem } from '../sql/dialect.js';
import { sqlNameEnd } from '../sql/identifiers.js';
import { codeMask, codeMatches } from '../sql/lexical.js';
import { parseMysql } from '../sql/mysql.js';
import { bytesToUtf16, parsePostgres, visitPg, type ParseOutcome, type PgParseResult } from '../sql/postgres.js';

export interface QueryInfo {
  syntaxError?: { offset: number; message: string };
  dialectProblems: DialectProblem[];
  /** The read-only guard's verdict (offsets into the query), before the config's allowFunctions. */
  guard: GuardProblem[];
  /** Tables the query reads; `schema` when qualified (`crm.users`), offsets span the whole name. */
  tables: { name: string; schema?: string; start: number; end: number }[];
  params: { number: number; start: number; end: number }[];
}

export function analyzeQuery(sql: string, dialect: SqlDialect): QueryInfo {
  const problems = dialectProblems(sql, dialect);
  const { text, toOriginal } = applyRewrites(sql, problems);
  const params = codeMatches(sql, /\$(\d+)\b/g).map((m) => ({ number: Number(m[1]), start: m.index, end: m.index + m[0].length }));
  // PostgreSQL's parse serves the guard and the tables alike: parsed once.
  const parsed = dialect === 'postgres' ? parsePostgres(text) : undefined;
  const verdict = parsed ? guardParsedPostgresCondition(text, parsed) : guardCondition(text, dialect);
  const guard = verdict.map((p) => ({ ...p, start: toOriginal(p.start), end: toOriginal(p.end) }));
  const info: QueryInfo = { dialectProblems: problems, guard, tables: [], params };
  if (parsed) fromPostgres({ parsed, text, toOriginal }, info);
  else fromMysql(text, toOriginal, info);
  return info;
}

function fromPostgres(query: { parsed: ParseOutcome<PgParseResult>; text: string; toOriginal: (o: number) => number }, info: QueryInfo): void {
  const { parsed, text, toOriginal } = query;
  if (!parsed.ok) {
    info.syntaxError = { offset: toOriginal(parsed.offset), message: parsed.message };
    return;
  }
  const cteNames = new Set<string>();
  const tables: { name: string; schema?: string; parts: number; location: number }[] = [];
  visitPg(parsed.ast, (type, node) => {
    if (type === 'CommonTableExpr' && typeof node.ctename === 'string') cteNames.add(node.ctename);
    if (type === 'RangeVar' && typeof node.relname === 'string') {
      const schema = typeof node.schemaname === 'string' ? node.schemaname : undefined;
      const parts = 1 + (schema ? 1 : 0) + (typeof node.catalogname === 'string' ? 1 : 0);
      tables.push({ name: node.relname, schema, parts, location: Number(node.location ?? 0) });
    }
  });
  info.tables = tables
    .filter((t) => t.schema || !cteNames.has(t.name))
    .map((t) => {
      const at = bytesToUtf16(text, t.location);
      return { name: t.name, schema: t.schema, start: toOriginal(at), end: toOriginal(sqlNameEnd(text, at, t.parts)) };
    });
}

function fromMysql(text: string, toOriginal: (o: number) => number, info: QueryInfo): void {
  const parsed = parseMysql(mysqlParserText(text));
  if (!parsed.ok) {
    info.syntaxError = { offset: toOriginal(parsed.offset), message: parsed.message };
    return;
  }
  const seen = new Set<string>();
  // In code, or a backquoted name starting in code (the mask counts the quote as quoted text).
  const mask = codeMask(text);
  const inCode = (at: number) => mask[at] || (text[at] === '`' && (at === 0 || mask[at - 1]));
  const escape = (name: string) => `\`?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\`?`;
  for (const t of parsed.ast.tables) {
    const key = `${t.schema ?? ''}.${t.name}`;
    if (!t.name || seen.has(key)) continue;
    seen.add(key);
    // node-sql-parser gives no positions for tables: find the (qualified) name as a word in code.
    const pattern = (t.schema ? `${escape(t.schema)}\\s*\\.\\s*` : '') + escape(t.name);
    const m = [...text.matchAll(new RegExp(`(?<![\\w$.\`])${pattern}(?![\\w$])`, 'g'))].find((c) => inCode(c.index));
    info.tables.push({ name: t.name, schema: t.schema, start: toOriginal(m?.index ?? 0), end: toOriginal((m?.index ?? 0) + (m?.[0].length ?? t.name.length)) });
  }
}
