/**
 * The read-only guard for PostgreSQL, on the server's own parse tree (libpg-query). Everything is
 * an allow-list: the node types a SELECT may contain, the functions, casts, operators and sample
 * methods it may use (allow-list.ts). Whatever the tree holds that is not on a list is refused, so
 * a new node type or an unknown function is an error, never a silent pass.
 */
import { isNodeType, parsePostgres, utf16Locations, type ParseOutcome, type PgParseResult } from '../sql/postgres.js';
import { POSTGRES_FUNCTIONS, POSTGRES_OPERATORS, POSTGRES_SAMPLE_METHODS, POSTGRES_TYPES } from './allow-list.js';
import { POSTGRES_CATALOG_FUNCTION_NAMES } from './postgres-catalog.js';
import { ALLOW_HINT, READ_ONLY_FIX, type GuardProblem } from './types.js';

/** Node types a read-only SELECT may contain. */
const ALLOWED_NODES = new Set(
  `SelectStmt ResTarget ColumnRef String Integer Float Boolean BitString A_Const A_Expr A_Star A_Indices
   A_Indirection A_ArrayExpr FuncCall NamedArgExpr TypeCast TypeName RangeVar JoinExpr RangeSubselect
   RangeFunction RangeTableSample RangeTableFunc RangeTableFuncCol SubLink BoolExpr NullTest BooleanTest
   CaseExpr CaseWhen CoalesceExpr MinMaxExpr RowExpr SortBy WindowDef WithClause CommonTableExpr
   CTESearchClause CTECycleClause GroupingSet GroupingFunc CollateClause SQLValueFunction ParamRef Alias
   List XmlExpr XmlSerialize ColumnDef JsonObjectConstructor JsonArrayConstructor
   JsonArrayQueryConstructor JsonValueExpr JsonOutput JsonReturning JsonKeyValue JsonFormat
   JsonIsPredicate JsonObjectAgg JsonArrayAgg JsonAggConstructor JsonFuncExpr JsonParseExpr
   JsonScalarExpr JsonSerializeExpr JsonTable JsonTableColumn JsonTablePathSpec JsonArgument JsonBehavior`.split(/\s+/),
);

const STATEMENTS: Record<string, string> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
  DropStmt: 'DROP',
  TruncateStmt: 'TRUNCATE',
  CreateStmt: 'CREATE TABLE',
  CreateTableAsStmt: 'CREATE TABLE AS',
  AlterTableStmt: 'ALTER TABLE',
  CopyStmt: 'COPY',
  GrantStmt: 'GRANT',
  VariableSetStmt: 'SET',
  VariableShowStmt: 'SHOW',
  TransactionStmt: 'a transaction statement',
  DoStmt: 'DO',
  CallStmt: 'CALL',
  RenameStmt: 'RENAME',
  IndexStmt: 'CREATE INDEX',
  ViewStmt: 'CREATE VIEW',
  VacuumStmt: 'VACUUM',
  ExplainStmt: 'EXPLAIN',
  LockStmt: 'LOCK',
  NotifyStmt: 'NOTIFY',
  ListenStmt: 'LISTEN',
  PrepareStmt: 'PREPARE',
  ExecuteStmt: 'EXECUTE',
  DeclareCursorStmt: 'DECLARE CURSOR',
  FetchStmt: 'FETCH',
  CreateFunctionStmt: 'CREATE FUNCTION',
  CheckPointStmt: 'CHECKPOINT',
  IntoClause: 'SELECT … INTO (it creates a table)',
  LockingClause: 'FOR UPDATE/SHARE (it takes row locks)',
};

/** Operators that are SQL syntax (BETWEEN, IN…) rather than a symbol: the parser names them so. */
const SYNTAX_OPERATORS = new Set(['AEXPR_BETWEEN', 'AEXPR_NOT_BETWEEN', 'AEXPR_BETWEEN_SYM', 'AEXPR_NOT_BETWEEN_SYM']);

type PgNode = Record<string, unknown>;

/**
 * What the guard knows of the database's functions and operators. Statically (check, the editor):
 * PostgreSQL's built-in function names. At plan time the database's own catalog adds its
 * extensions' and users' functions and operators (see plan/catalog.ts).
 */
export interface PostgresCatalog {
  /** Every function name the database knows (built in, extensions', its own), lower case. */
  functions: ReadonlySet<string>;
  /**
   * The database's own function names (not built in, not an extension's): an unqualified call of
   * that name may resolve to one of them even when a built-in has the same name.
   */
  userFunctions: ReadonlySet<string>;
  /** The database's own operator symbols. */
  userOperators: ReadonlySet<string>;
}

export const STATIC_POSTGRES_CATALOG: PostgresCatalog = {
  functions: new Set(POSTGRES_CATALOG_FUNCTION_NAMES.trim().split(/\s+/)),
  userFunctions: new Set(),
  userOperators: new Set(),
};

/** Everything wrong with `sql` as a condition, or [] when it may run. Needs the parser loaded. */
export function guardPostgres(sql: string, catalog: PostgresCatalog = STATIC_POSTGRES_CATALOG): GuardProblem[] {
  return guardPostgresParse(sql, parsePostgres(sql), catalog);
}

/** The guard over `sql`'s parse, done by the caller: a syntax error is SKN020. */
export function guardPostgresParse(sql: string, parsed: ParseOutcome<PgParseResult>, catalog: PostgresCatalog = STATIC_POSTGRES_CATALOG): GuardProblem[] {
  if (!parsed.ok) {
    return [{ code: 'SKN020', severity: 'error', start: parsed.offset, end: parsed.offset, message: `the condition does not parse: ${parsed.message}` }];
  }
  return guardParsedPostgres(sql, parsed.ast, catalog);
}

/** The guard over an already parsed statement list. */
export function guardParsedPostgres(sql: string, ast: PgParseResult, catalog: PostgresCatalog = STATIC_POSTGRES_CATALOG): GuardProblem[] {
  const problems: GuardProblem[] = [];
  const toUtf16 = utf16Locations(sql);
  const at = (bytes: unknown) => toUtf16(typeof bytes === 'number' ? bytes : 0);
  const whole = { start: leading(sql), end: trailing(sql) };
  if (ast.stmts.length !== 1) {
    const message = ast.stmts.length === 0 ? 'the query is empty (only white space or comments)' : `the condition has ${ast.stmts.length} statements`;
    return [{ code: 'SKN021', severity: 'error', ...whole, message: `${message} — ${READ_ONLY_FIX}` }];
  }
  const [type] = Object.keys(ast.stmts[0]!.stmt);
  if (type !== 'SelectStmt') {
    return [{ code: 'SKN021', severity: 'error', ...whole, message: `the condition is ${describe(type)} — ${READ_ONLY_FIX}` }];
  }

  const report = (code: GuardProblem['code'], start: number, end: number, message: string, name?: string) =>
    problems.push({ code, severity: 'error', start, end: Math.max(end, start), message, ...(name ? { name } : {}) });

  /** Visits every node; `located` is the nearest location above (statements inside WITH have none). */
  const visit = (node: unknown, located: number): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, located);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const here = typeof (node as PgNode).location === 'number' ? at((node as PgNode).location) : located;
    for (const key in node) {
      const value = (node as PgNode)[key];
      if (!value || typeof value !== 'object') continue; // a leaf: nothing below it
      if (Array.isArray(value)) {
        visit(value, here);
        continue;
      }
      const child = value as PgNode;
      const start = typeof child.location === 'number' ? at(child.location) : here;
      // A cast's or a column definition's type is a bare TypeName under `typeName`.
      if (key === 'typeName') checkNode('TypeName', child, start);
      if (!isNodeType(key)) {
        visit(child, here);
        continue;
      }
      if (!ALLOWED_NODES.has(key)) {
        const what = STATEMENTS[key] ?? describe(key);
        // A statement inside WITH has no location of its own: point at its first word, after `AS (`.
        const at = typeof child.location === 'number' || !/Stmt$/.test(key) ? start : firstWordAfterParen(sql, here);
        report('SKN021', at, end(sql, at), `the condition contains ${what} — ${READ_ONLY_FIX}`);
        continue; // its insides are not a read either way
      }
      checkNode(key, child, start);
      visit(child, start);
    }
  };

  const checkNode = (type: string, node: PgNode, start: number) => {
    if (type === 'SelectStmt' && node.intoClause) {
      report('SKN021', start, end(sql, start), `the condition contains ${STATEMENTS.IntoClause} — ${READ_ONLY_FIX}`);
    } else if (type === 'FuncCall') {
      const name = qualifiedName(node.funcname, 'pg_catalog');
      const unqualified = strings(node.funcname).length === 1;
      if (name && !POSTGRES_FUNCTIONS.has(name)) {
        report(
          'SKN026',
          start,
          callEnd(sql, start),
          `the function ${name}() is not on the read-only allow-list: a condition may call built-in functions without side effects (math, text, dates, JSON, arrays, aggregates, windows) — ${ALLOW_HINT}`,
          name,
        );
      } else if (name && unqualified && catalog.userFunctions.has(name)) {
        report(
          'SKN026',
          start,
          callEnd(sql, start),
          `the function ${name}() is also defined outside pg_catalog in this database, and PostgreSQL may call that one: write pg_catalog.${name}() — ${ALLOW_HINT}`,
          name,
        );
      }
    } else if (type === 'A_Indirection' && strings(node.indirection).some(Boolean)) {
      // `(expr).name` is name(expr) when expr has no field called name (attribute notation): any
      // function taking expr's type, an extension's too, could stand there. Read a column directly.
      const field = strings(node.indirection).find(Boolean)!;
      report(
        'SKN026',
        start,
        end(sql, start),
        `(…).${field} may call the function ${field}() (PostgreSQL reads \`(x).${field}\` as ${field}(x) when x has no such field): select the column directly (or use ->> for JSON) — ${ALLOW_HINT}`,
        field.toLowerCase(),
      );
    } else if (type === 'ColumnRef') {
      // `t.name` calls name(t) when t has no column called name (attribute notation).
      const fields = strings(node.fields).slice(1);
      for (const field of fields.map((f) => f.toLowerCase())) {
        const isFunction = catalog.functions.has(field) || catalog.userFunctions.has(field);
        if (isFunction && (!POSTGRES_FUNCTIONS.has(field) || catalog.userFunctions.has(field))) {
          report(
            'SKN026',
            start,
            end(sql, start),
            `.${field} may call the function ${field}() (PostgreSQL reads \`x.${field}\` as ${field}(x) when x has no such column), and ${field}() is not on the read-only allow-list — rename the column in the query with AS, or ${ALLOW_HINT}`,
            field,
          );
        }
      }
    } else if (type === 'TypeName') {
      const name = qualifiedName(node.names, 'pg_catalog');
      if (name && !POSTGRES_TYPES.has(name)) {
        report(
          'SKN026',
          start,
          end(sql, start),
          `the cast to ${name} may run a user-defined cast or input function: cast to a built-in type (text, integer, timestamptz, jsonb, …) — ${ALLOW_HINT}`,
          name,
        );
      }
    } else if (type === 'A_Expr' && !SYNTAX_OPERATORS.has(String(node.kind))) {
      checkOperator(node.name, start);
    } else if (type === 'SubLink' && node.operName) {
      checkOperator(node.operName, start);
    } else if (type === 'SortBy' && node.useOp) {
      checkOperator(node.useOp, start);
    } else if (type === 'RangeTableSample') {
      const name = qualifiedName(node.method, 'pg_catalog');
      if (name && !POSTGRES_SAMPLE_METHODS.has(name)) {
        report('SKN026', start, end(sql, start), `the TABLESAMPLE method ${name} is an extension's: use BERNOULLI or SYSTEM — ${ALLOW_HINT}`, name);
      }
    }
  };

  /** An operator name list (`=`, or `OPERATOR(schema.op)`): built-in symbols from pg_catalog only. */
  const checkOperator = (list: unknown, start: number) => {
    const names = strings(list);
    const symbol = names[names.length - 1];
    const schema = names.length > 1 ? names[0] : 'pg_catalog';
    if (!symbol) return;
    const userDefined = names.length === 1 && catalog.userOperators.has(symbol);
    if (schema !== 'pg_catalog' || !POSTGRES_OPERATORS.has(symbol) || userDefined) {
      const name = names.join('.');
      report(
        'SKN026',
        start,
        end(sql, start),
        `the operator ${name} is not on the read-only allow-list${userDefined ? ' (this database defines it outside pg_catalog)' : ''}: it may call a user-defined function — ${ALLOW_HINT}`,
        name,
      );
    }
  };

  visit(ast.stmts[0]!.stmt, whole.start);
  return problems;
}

function strings(list: unknown): string[] {
  return Array.isArray(list) ? list.map((n) => String((n as { String?: { sval?: string } }).String?.sval ?? '')) : [];
}

/** `pg_catalog.now` → `now`; `analytics.score` stays qualified; lower case as PostgreSQL folds it. */
function qualifiedName(list: unknown, builtInSchema: string): string | undefined {
  const names = strings(list).map((s) => s.toLowerCase());
  if (names.length === 0) return undefined;
  if (names.length > 1 && names[names.length - 2] === builtInSchema) return names[names.length - 1];
  return names.join('.');
}

function describe(type: string | undefined): string {
  if (!type) return 'empty';
  return (
    STATEMENTS[type] ??
    type
      .replace(/Stmt$/, '')
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toUpperCase()
  );
}

function firstWordAfterParen(sql: string, from: number): number {
  const open = sql.indexOf('(', from);
  if (open === -1) return from;
  let i = open + 1;
  while (i < sql.length && /\s/.test(sql[i]!)) i++;
  return i;
}

/** The end of a call's name: up to its `(` (the range an editor underlines). */
function callEnd(sql: string, start: number): number {
  const open = sql.indexOf('(', start);
  return open === -1 ? end(sql, start) : trailingSpace(sql, open);
}

/** The end of the word at `start`. */
function end(sql: string, start: number): number {
  let i = start;
  while (i < sql.length && /[\w."$]/.test(sql[i]!)) i++;
  return i === start ? Math.min(sql.length, start + 1) : i;
}

function trailingSpace(sql: string, index: number): number {
  while (index > 0 && /\s/.test(sql[index - 1]!)) index--;
  return index;
}

function leading(sql: string): number {
  let i = 0;
  while (i < sql.length && /\s/.test(sql[i]!)) i++;
  return i;
}

function trailing(sql: string): number {
  return Math.max(leading(sql), trailingSpace(sql, sql.length));
}
