/**
 * The first of two read-only walls: a condition must be one SELECT (or WITH … SELECT) before it
 * reaches the database. The second wall is the READ ONLY transaction every query runs in, which
 * also stops writes hidden in functions. MySQL needs this first wall most: DDL there commits
 * implicitly and would escape a transaction.
 */
import { codeMask } from '../sql/lexical.js';
import { loadPostgresParser, parsePostgres, visitPg } from '../sql/postgres.js';
import type { SqlDialect } from '../sources/types.js';

export { loadPostgresParser };

/** Functions a READ ONLY transaction does not stop, with effects outside the transaction. */
const UNSAFE_PG_FUNCTIONS = new Set([
  'pg_terminate_backend', 'pg_cancel_backend', 'pg_reload_conf', 'pg_rotate_logfile', 'pg_switch_wal',
  'pg_advisory_lock', 'pg_advisory_xact_lock', 'pg_try_advisory_lock', 'pg_notify', 'set_config',
  'lo_import', 'lo_export', 'dblink', 'dblink_exec', 'pg_read_file', 'pg_read_binary_file', 'pg_ls_dir',
]);

const VERBS: Record<string, string> = {
  InsertStmt: 'INSERT', UpdateStmt: 'UPDATE', DeleteStmt: 'DELETE', MergeStmt: 'MERGE', DropStmt: 'DROP',
  TruncateStmt: 'TRUNCATE', CreateStmt: 'CREATE TABLE', CreateTableAsStmt: 'CREATE TABLE AS', AlterTableStmt: 'ALTER TABLE',
  CopyStmt: 'COPY', GrantStmt: 'GRANT', VariableSetStmt: 'SET', TransactionStmt: 'a transaction statement', DoStmt: 'DO',
  CallStmt: 'CALL', RenameStmt: 'RENAME', IndexStmt: 'CREATE INDEX', ViewStmt: 'CREATE VIEW', VacuumStmt: 'VACUUM',
};

const FIX = 'a condition is one read-only SELECT (or WITH … SELECT); a plan never writes';

/** Why `sql` is refused, or undefined when it may run. PostgreSQL needs `await loadPostgresParser()` first. */
export function refuseWrites(sql: string, dialect: SqlDialect): string | undefined {
  return dialect === 'postgres' ? refusePostgres(sql) : refuseMysql(sql);
}

function refusePostgres(sql: string): string | undefined {
  const parsed = parsePostgres(sql);
  if (!parsed.ok) return undefined; // a syntax error: the database reports it, with its position
  const statements = parsed.ast.stmts;
  if (statements.length !== 1) return `refused: the condition has ${statements.length} statements — ${FIX}`;
  const [type, node] = Object.entries(statements[0]!.stmt)[0] ?? [];
  if (type !== 'SelectStmt') return `refused: the condition is ${VERBS[type ?? ''] ?? (type ?? '').replace(/Stmt$/, '').toUpperCase()} — ${FIX}`;
  if ((node as Record<string, unknown>).intoClause) return `refused: SELECT … INTO creates a table — ${FIX}`;
  let problem: string | undefined;
  visitPg(parsed.ast, (nodeType, value) => {
    if (problem) return;
    if (VERBS[nodeType]) problem = `refused: the condition contains ${VERBS[nodeType]} (in a WITH clause) — ${FIX}`;
    else if (nodeType === 'FuncCall') {
      const names = (value.funcname as { String?: { sval?: string } }[] | undefined) ?? [];
      const name = names[names.length - 1]?.String?.sval?.toLowerCase();
      if (name && UNSAFE_PG_FUNCTIONS.has(name)) problem = `refused: ${name}() has effects a rolled-back transaction does not undo — ${FIX}`;
    }
  });
  return problem;
}

/** Keywords that never belong in a read-only MySQL SELECT (all reserved words, so never bare column names). */
const MYSQL_WRITES = ['INSERT', 'UPDATE', 'DELETE', 'DROP', 'ALTER', 'CREATE', 'RENAME', 'GRANT', 'REVOKE', 'CALL', 'LOAD', 'LOCK', 'INTO', 'REPLACE', 'TRUNCATE', 'HANDLER', 'SET'];

function refuseMysql(sql: string): string | undefined {
  const mask = codeMask(sql);
  // `#` starts a comment in MySQL too.
  let code = '';
  for (let i = 0; i < sql.length; i++) {
    if (mask[i] && sql[i] === '#') {
      while (i < sql.length && sql[i] !== '\n') code += ' ', i++;
      code += '\n';
      continue;
    }
    code += mask[i] ? sql[i] : ' ';
  }
  const semicolon = code.indexOf(';');
  if (semicolon !== -1 && code.slice(semicolon + 1).replace(/;/g, '').trim()) return `refused: the condition has more than one statement — ${FIX}`;
  const words = [...code.matchAll(/[A-Za-z_][A-Za-z0-9_$]*/g)];
  const first = words[0]?.[0]?.toUpperCase();
  if (first !== 'SELECT' && first !== 'WITH') return `refused: the condition is ${first ?? 'empty'} — ${FIX}`;
  for (const word of words) {
    const upper = word[0].toUpperCase();
    if (!MYSQL_WRITES.includes(upper)) continue;
    const after = code.slice(word.index! + word[0].length).trimStart();
    // REPLACE(), TRUNCATE(), INSERT() are also string/number functions; `CHARACTER SET x` is a cast.
    if (['REPLACE', 'TRUNCATE', 'INSERT'].includes(upper) && after.startsWith('(')) continue;
    if (upper === 'SET' && /CHARACTER\s*$/i.test(code.slice(0, word.index!))) continue;
    if (upper === 'HANDLER' || upper === 'TRUNCATE' || upper === 'SET') continue; // not reserved: only a statement start is a write, checked above
    return `refused: the condition contains ${upper} — ${FIX}`;
  }
  return undefined;
}
