/**
 * What analysis needs to know of a condition query, whichever dialect parsed it: is it one
 * read-only statement, which tables does it read, which `$n` does it use, and where.
 */
import type { Dialect } from '../analysis/project.js';
import { applyRewrites, dialectProblems, type DialectProblem } from './dialect.js';
import { codeMatches } from './lexical.js';
import { parseMysql } from './mysql.js';
import { bytesToUtf16, parsePostgres, visitPg } from './postgres.js';

export interface QueryInfo {
  syntaxError?: { offset: number; message: string };
  dialectProblems: DialectProblem[];
  statementCount: number;
  /** A statement that is not a plain read (offsets into the query). */
  writes: { start: number; end: number; kind: string }[];
  tables: { name: string; start: number; end: number }[];
  params: { number: number; start: number; end: number }[];
}

const WRITE_NODES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
/** Functions with effects a read-only transaction does not prevent (sessions, files, settings, locks). */
export const SIDE_EFFECT_FUNCTIONS = new Set([
  'pg_terminate_backend', 'pg_cancel_backend', 'pg_reload_conf', 'pg_rotate_logfile', 'set_config',
  'lo_import', 'lo_export', 'pg_read_file', 'pg_read_binary_file', 'pg_ls_dir', 'pg_stat_file',
  'dblink', 'dblink_exec', 'pg_advisory_lock', 'pg_advisory_xact_lock', 'pg_notify', 'pg_switch_wal', 'pg_create_restore_point',
]);

export function analyzeQuery(sql: string, dialect: Exclude<Dialect, 'redis'>): QueryInfo {
  const problems = dialectProblems(sql, dialect);
  const { text, toOriginal } = applyRewrites(sql, problems);
  const params = codeMatches(sql, /\$(\d+)\b/g).map((m) => ({ number: Number(m[1]), start: m.index, end: m.index + m[0].length }));
  const info: QueryInfo = { dialectProblems: problems, statementCount: 0, writes: [], tables: [], params };
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
  info.statementCount = parsed.ast.stmts.length;
  const cteNames = new Set<string>();
  const tables: { name: string; location: number }[] = [];
  for (const { stmt, stmt_location = 0, stmt_len } of parsed.ast.stmts) {
    const [kind, body] = Object.entries(stmt)[0] ?? [];
    // Parse tree offsets are UTF-8 bytes.
    const start = leadingSpace(text, bytesToUtf16(text, stmt_location));
    const end = stmt_len ? bytesToUtf16(text, stmt_location + stmt_len) : text.length;
    const select = kind === 'SelectStmt' ? (body as Record<string, unknown>) : undefined;
    if (!select) info.writes.push({ start: toOriginal(start), end: toOriginal(end), kind: statementName(kind) });
    else if (select.intoClause) info.writes.push({ start: toOriginal(start), end: toOriginal(end), kind: 'SELECT INTO' });
    else if (select.lockingClause) info.writes.push({ start: toOriginal(start), end: toOriginal(end), kind: 'SELECT … FOR UPDATE' });
    visitPg(stmt, (type, node) => {
      if (WRITE_NODES.has(type) && node !== body) {
        const within = kind === 'SelectStmt' ? 'inside WITH' : `inside ${statementName(kind ?? '')}`;
        info.writes.push({ start: toOriginal(start), end: toOriginal(end), kind: `${statementName(type)} ${within}` });
      }
      if (type === 'FuncCall') {
        const name = ((node.funcname as { String?: { sval?: string } }[]) ?? []).map((n) => n.String?.sval).pop()?.toLowerCase();
        // A READ ONLY transaction does not stop these: they act outside the transaction.
        if (name && SIDE_EFFECT_FUNCTIONS.has(name)) {
          const at = bytesToUtf16(text, Number(node.location ?? 0));
          info.writes.push({ start: toOriginal(at), end: toOriginal(at + name.length), kind: `${name}()` });
        }
      }
      if (type === 'CommonTableExpr' && typeof node.ctename === 'string') cteNames.add(node.ctename);
      if (type === 'RangeVar' && typeof node.relname === 'string' && !node.schemaname) tables.push({ name: node.relname, location: Number(node.location ?? 0) });
    });
  }
  info.tables = tables
    .filter((t) => !cteNames.has(t.name))
    .map((t) => {
      const at = bytesToUtf16(text, t.location);
      return { name: t.name, start: toOriginal(at), end: toOriginal(at + t.name.length) };
    });
}

function fromMysql(text: string, toOriginal: (o: number) => number, info: QueryInfo): void {
  const parsed = parseMysql(text);
  if (!parsed.ok) {
    info.syntaxError = { offset: toOriginal(parsed.offset), message: parsed.message };
    return;
  }
  info.statementCount = parsed.ast.statements.length;
  // node-sql-parser's AST is loosely shaped for odd input: a statement may come back without a type.
  for (const s of parsed.ast.statements) {
    if (s?.type !== 'select') info.writes.push({ start: 0, end: text.length, kind: s?.type ? String(s.type).toUpperCase() : 'this statement (it is not a SELECT)' });
  }
  const seen = new Set<string>();
  for (const t of parsed.ast.tables) {
    if (!t.name) continue;
    if (t.access !== 'select') info.writes.push({ start: 0, end: text.length, kind: String(t.access ?? 'write').toUpperCase() });
    if (seen.has(t.name)) continue;
    seen.add(t.name);
    // node-sql-parser gives no positions for tables: find the name as a word in code.
    const m = codeMatches(text, new RegExp(`\\b${t.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'g'))[0];
    info.tables.push({ name: t.name, start: toOriginal(m?.index ?? 0), end: toOriginal((m?.index ?? 0) + t.name.length) });
  }
}

function leadingSpace(text: string, offset: number): number {
  while (offset < text.length && /\s|;/.test(text[offset])) offset++;
  return offset;
}

function statementName(nodeType: string): string {
  return nodeType.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}
