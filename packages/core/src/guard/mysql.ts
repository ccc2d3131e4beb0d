/**
 * The read-only guard for the MySQL dialect (MySQL, MariaDB, TiDB): MySQL's own lexical rules
 * (mysql-lexer.ts) first — executable comments are refused, ordinary ones blanked — then the
 * grammar's tree (node-sql-parser): exactly one SELECT, no INTO, no locking read, no assignment,
 * and every function call on the allow-list. Calls are also read off the tokens, so a call the
 * grammar misreads (or hides in a corner it does not model) is still checked.
 */
import { parseMysql } from '../sql/mysql.js';
import { MYSQL_FUNCTIONS } from './allow-list.js';
import { codeTokens, lexMysql, mysqlParserText, type Token } from './mysql-lexer.js';
import { ALLOW_HINT, READ_ONLY_FIX, type GuardProblem } from './types.js';

/** Words that may stand before `(` without being a call. */
const KEYWORDS_BEFORE_PAREN = new Set(
  `SELECT IN EXISTS VALUES VALUE AS OVER FROM JOIN ON USING AND OR NOT XOR WHERE WITH ALL ANY SOME LATERAL
   CASE WHEN THEN ELSE BY IS LIKE REGEXP RLIKE BETWEEN UNION EXCEPT INTERSECT DISTINCT ROW PARTITION WINDOW
   HAVING LIMIT OFFSET DIV RECURSIVE COLUMNS PATH NESTED ESCAPE OF INDEX KEY MATCH AGAINST SEPARATOR
   DISTINCTROW STRAIGHT_JOIN`.split(/\s+/),
);

/** Type names that take a length or precision, as in `CONVERT(x, DECIMAL(10, 2))`: not calls. */
const TYPES_BEFORE_PAREN = new Set(
  `DECIMAL NUMERIC DEC FIXED VARCHAR NCHAR NVARCHAR DATETIME FLOAT DOUBLE REAL SIGNED UNSIGNED INTEGER INT BIGINT
   TINYINT SMALLINT MEDIUMINT VARBINARY`.split(/\s+/),
);

const WORDS_AFTER_WHICH_PARENS_ARE_NAMES = new Set(['AS', 'WITH', 'RECURSIVE']);

export function guardMysql(sql: string): GuardProblem[] {
  const problems: GuardProblem[] = [];
  const report = (code: GuardProblem['code'], start: number, end: number, message: string, name?: string) =>
    problems.push({ code, severity: 'error', start, end, message, ...(name ? { name } : {}) });

  const lexed = lexMysql(sql);
  if (lexed.unterminated) {
    const { start, what } = lexed.unterminated;
    report('SKN020', start, sql.length, `the condition does not parse: an unterminated ${what} starts here`);
    return problems;
  }
  for (const t of lexed.tokens) {
    if (t.kind === 'executable-comment') {
      report(
        'SKN028',
        t.start,
        t.end,
        `${t.text.slice(0, 4)}… is a MySQL executable comment or optimizer hint: the server runs what is inside it. Remove it — ${READ_ONLY_FIX}`,
      );
    }
  }
  const code = codeTokens(lexed.tokens);
  for (let i = 0; i + 1 < code.length; i++) {
    if (code[i]!.text === '-' && code[i + 1]!.text === '-' && code[i]!.end === code[i + 1]!.start) {
      report(
        'SKN020',
        code[i]!.start,
        code[i + 1]!.end,
        'the condition does not parse unambiguously: `--` without a space after it is two minus signs to MySQL but a comment to other tools. Write `- -` or `-- comment`.',
      );
    }
  }
  const semicolon = code.findIndex((t) => t.text === ';');
  if (semicolon !== -1 && code.slice(semicolon).some((t) => t.text !== ';')) {
    report('SKN021', code[semicolon]!.start, sql.length, `the condition has more than one statement — ${READ_ONLY_FIX}`);
  }
  if (problems.length) return problems;

  const parsed = parseMysql(mysqlParserText(sql));
  if (!parsed.ok) {
    report('SKN020', parsed.offset, parsed.offset, `the condition does not parse: ${parsed.message}`);
    return problems;
  }
  const whole = { start: code[0]?.start ?? 0, end: code[code.length - 1]?.end ?? sql.length };
  const statements = parsed.ast.statements;
  if (statements.length !== 1 || statements[0]?.type !== 'select') {
    const what = statements.length !== 1 ? `${statements.length} statements` : statements[0]?.type ? String(statements[0].type).toUpperCase() : 'not a SELECT';
    report('SKN021', whole.start, whole.end, `the condition is ${what} — ${READ_ONLY_FIX}`);
    return problems;
  }
  for (const t of parsed.ast.tables) {
    if (t.access !== 'select')
      report('SKN021', whole.start, whole.end, `the condition writes (${String(t.access).toUpperCase()} ${t.name}) — ${READ_ONLY_FIX}`);
  }
  const treeCalls = new Set<string>();
  walk(statements[0], (node) => {
    if (node.into && typeof node.into === 'object' && (node.into as { keyword?: unknown; expr?: unknown }).expr) {
      const into = word(code, 'INTO');
      report('SKN021', into?.start ?? whole.start, into?.end ?? whole.end, `SELECT … INTO writes a file or a variable — ${READ_ONLY_FIX}`);
    }
    if (node.locking_read) {
      const at = word(code, 'FOR') ?? word(code, 'LOCK');
      report('SKN021', at?.start ?? whole.start, at?.end ?? whole.end, `${String(node.locking_read)} takes row locks — ${READ_ONLY_FIX}`);
    }
    if (node.type === 'assign') {
      const at = code.find((t) => t.text === ':=');
      report('SKN021', at?.start ?? whole.start, at?.end ?? whole.end, `an assignment (:=) changes a session variable — ${READ_ONLY_FIX}`);
    }
    const name = callName(node);
    if (name) treeCalls.add(name);
  });

  const reported = new Set<string>();
  for (const call of tokenCalls(code)) {
    reported.add(call.name.toUpperCase());
    if (!call.quoted && MYSQL_FUNCTIONS.has(call.name.toUpperCase())) continue;
    report(
      'SKN026',
      call.start,
      call.end,
      `the function ${call.name}() is not on the read-only allow-list: a condition may call built-in functions without side effects (math, text, dates, JSON, aggregates, windows) — ${ALLOW_HINT}`,
      call.name,
    );
  }
  // A call only the grammar saw (written in a form the tokens do not show as `name(`).
  for (const name of treeCalls) {
    const upper = name.toUpperCase();
    if (reported.has(upper) || MYSQL_FUNCTIONS.has(upper) || KEYWORDS_BEFORE_PAREN.has(upper) || TYPES_BEFORE_PAREN.has(upper)) continue;
    const at = word(code, name.split('.').pop()!);
    report('SKN026', at?.start ?? whole.start, at?.end ?? whole.end, `the function ${name}() is not on the read-only allow-list — ${ALLOW_HINT}`, name);
  }
  return problems;
}

/** Every `name(` / `schema.name(` / `` `name`( `` in the tokens that is a call, not a keyword or a column list. */
function tokenCalls(code: Token[]): { name: string; start: number; end: number; quoted: boolean }[] {
  const calls = [];
  for (let i = 0; i + 1 < code.length; i++) {
    const token = code[i]!;
    if (code[i + 1]!.text !== '(' || (token.kind !== 'word' && token.kind !== 'quoted-identifier')) continue;
    const upper = token.text.toUpperCase();
    if (token.kind === 'word' && (KEYWORDS_BEFORE_PAREN.has(upper) || TYPES_BEFORE_PAREN.has(upper))) continue;
    let first = i;
    while (first >= 2 && code[first - 1]!.text === '.' && (code[first - 2]!.kind === 'word' || code[first - 2]!.kind === 'quoted-identifier')) first -= 2;
    const before = code[first - 1];
    // `AS t(a, b)`, `WITH cte(a, b) AS (…)`, `, cte2(a) AS (…)`: names with column lists.
    if (before && before.kind === 'word' && WORDS_AFTER_WHICH_PARENS_ARE_NAMES.has(before.text.toUpperCase())) continue;
    // `, cte2(a, b) AS (…)`: a column list is followed by AS and a parenthesised query (a call by an alias).
    const close = matching(code, i + 1);
    if (close !== -1 && before?.text === ',' && code[close + 1]?.text.toUpperCase() === 'AS' && code[close + 2]?.text === '(') continue;
    const name = code
      .slice(first, i + 1)
      .filter((t) => t.text !== '.')
      .map((t) => (t.kind === 'quoted-identifier' ? t.text.slice(1, -1).replace(/``/g, '`') : t.text))
      .join('.');
    // A quoted name is never a built-in: `` `date`(x) `` calls a stored function called date.
    calls.push({ name, start: code[first]!.start, end: token.end, quoted: code.slice(first, i + 1).some((t) => t.kind === 'quoted-identifier') });
  }
  return calls;
}

function matching(code: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i]!.text === '(') depth++;
    else if (code[i]!.text === ')' && --depth === 0) return i;
  }
  return -1;
}

function word(code: Token[], text: string): Token | undefined {
  return code.find((t) => t.kind === 'word' && t.text.toUpperCase() === text.toUpperCase());
}

type MyNode = Record<string, unknown>;

function walk(node: unknown, visit: (node: MyNode) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  visit(node as MyNode);
  for (const value of Object.values(node as MyNode)) walk(value, visit);
}

/** The name node-sql-parser gives a function, aggregate or window call. */
function callName(node: MyNode): string | undefined {
  if (node.type !== 'function' && node.type !== 'aggr_func' && node.type !== 'window_func') return undefined;
  const name = node.name as unknown;
  if (typeof name === 'string') return name;
  const parts = (name as { name?: { value?: unknown }[]; schema?: { value?: unknown } } | undefined) ?? {};
  const base = (parts.name ?? []).map((p) => String(p.value ?? '')).join('.');
  return parts.schema?.value ? `${String(parts.schema.value)}.${base}` : base || undefined;
}
