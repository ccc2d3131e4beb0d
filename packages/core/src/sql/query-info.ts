/**
 * What analysis needs to know of a condition query, whichever dialect parsed it: what the
 * read-only guard says of it, which tables does it read, which `$n` does it use, and where.
 */
import type { Dialect } from '../analysis/project.js';
import { guardCondition, type GuardProblem } from '../guard/index.js';
import { mysqlParserText } from '../guard/mysql-lexer.js';
import { applyRewrites, dialectProblems, type DialectProblem } from './dialect.js';
import { codeMatches } from './lexical.js';
import { parseMysql } from './mysql.js';
import { bytesToUtf16, parsePostgres, visitPg } from './postgres.js';

export interface QueryInfo {
  syntaxError?: { offset: number; message: string };
  dialectProblems: DialectProblem[];
  /** The read-only guard's verdict (offsets into the query), before the config's allowFunctions. */
  guard: GuardProblem[];
  tables: { name: string; start: number; end: number }[];
  params: { number: number; start: number; end: number }[];
}

export function analyzeQuery(sql: string, dialect: Exclude<Dialect, 'redis'>): QueryInfo {
  const problems = dialectProblems(sql, dialect);
  const { text, toOriginal } = applyRewrites(sql, problems);
  const params = codeMatches(sql, /\$(\d+)\b/g).map((m) => ({ number: Number(m[1]), start: m.index, end: m.index + m[0].length }));
  const guard = guardCondition(text, dialect).map((p) => ({ ...p, start: toOriginal(p.start), end: toOriginal(p.end) }));
  const info: QueryInfo = { dialectProblems: problems, guard, tables: [], params };
  if (dialect === 'postgres') fromPostgres(text, toOriginal, info);
  else fromMysql(text, toOriginal, info);
  return info;
}

function fromPostgres(text: string, toOriginal: (o: number) => number, info: QueryInfo): void {
  const parsed = parsePostgres(text);
  if (!parsed.ok) {
    info.syntaxError = { offset: toOriginal(parsed.offset), message: parsed.message };
    return;
  }
  const cteNames = new Set<string>();
  const tables: { name: string; location: number }[] = [];
  visitPg(parsed.ast, (type, node) => {
    if (type === 'CommonTableExpr' && typeof node.ctename === 'string') cteNames.add(node.ctename);
    if (type === 'RangeVar' && typeof node.relname === 'string' && !node.schemaname) tables.push({ name: node.relname, location: Number(node.location ?? 0) });
  });
  info.tables = tables
    .filter((t) => !cteNames.has(t.name))
    .map((t) => {
      const at = bytesToUtf16(text, t.location);
      return { name: t.name, start: toOriginal(at), end: toOriginal(at + t.name.length) };
    });
}

function fromMysql(text: string, toOriginal: (o: number) => number, info: QueryInfo): void {
  const parsed = parseMysql(mysqlParserText(text));
  if (!parsed.ok) {
    info.syntaxError = { offset: toOriginal(parsed.offset), message: parsed.message };
    return;
  }
  const seen = new Set<string>();
  for (const t of parsed.ast.tables) {
    if (!t.name || seen.has(t.name)) continue;
    seen.add(t.name);
    // node-sql-parser gives no positions for tables: find the name as a word in code.
    const m = codeMatches(text, new RegExp(`\\b${t.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'g'))[0];
    info.tables.push({ name: t.name, start: toOriginal(m?.index ?? 0), end: toOriginal((m?.index ?? 0) + t.name.length) });
  }
}
