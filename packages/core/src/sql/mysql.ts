/** The MySQL dialect (TiDB, PlanetScale, MySQL, MariaDB) through node-sql-parser's MySQL grammar. */
import type { Parser } from 'node-sql-parser';
import type { ParseOutcome } from './postgres.js';

const OPTIONS = { database: 'MySQL' };
let parser: Parser | undefined;

/** Loads only the MySQL grammar (the package's all-dialect entry costs ~0.4 s to import). */
export async function loadMysqlParser(): Promise<void> {
  if (parser) return;
  const mod = (await import('node-sql-parser/build/mysql.js')) as unknown as { default: { Parser: new () => Parser } };
  parser = new mod.default.Parser();
}

/** The loaded MySQL parser, or undefined when nobody asked for the MySQL dialect. */
export function mysqlParser(): Parser | undefined {
  return parser;
}

export interface MysqlAst {
  statements: { type: string }[];
  /** `select::null::users` → users (node-sql-parser's table list). */
  tables: { name: string; access: string; schema?: string }[];
}

/**
 * `$n` placeholders are Skene's (the engine binds them as `?`); the MySQL grammar is given `?`
 * in their place — same length is not needed since `$1` and `?` differ, so offsets are remapped.
 */
export function parseMysql(sql: string): ParseOutcome<MysqlAst> {
  if (!parser) throw new Error("MySQL parser not loaded: await prepareAnalysis({ dialect: 'mysql' }) first");
  const { text, toOriginal } = placeholdersToQuestionMarks(sql);
  try {
    const ast = parser.astify(text, OPTIONS);
    const statements = (Array.isArray(ast) ? ast : [ast]) as { type: string }[];
    const tables = parser.tableList(text, OPTIONS).map((entry) => {
      const [access, db, name] = entry.split('::');
      return { name, access, schema: db === 'null' ? undefined : db };
    });
    return { ok: true, ast: { statements, tables } };
  } catch (error) {
    const location = (error as { location?: { start?: { offset?: number } } }).location;
    const offset = toOriginal(location?.start?.offset ?? text.length);
    // The grammar names one character; the word there reads better (`"ANDD"`, not `"A"`).
    const word = /^[\w$]+|^\S/.exec(sql.slice(offset))?.[0];
    const message = word ? `syntax error at or near "${word}"` : 'syntax error at the end of the query';
    return { ok: false, offset, message };
  }
}

function placeholdersToQuestionMarks(sql: string): { text: string; toOriginal: (offset: number) => number } {
  const shifts: { at: number; delta: number }[] = [];
  let text = '';
  let last = 0;
  for (const match of sql.matchAll(/\$(\d+)/g)) {
    text += sql.slice(last, match.index) + '?';
    last = match.index! + match[0].length;
    shifts.push({ at: text.length, delta: match[0].length - 1 });
  }
  text += sql.slice(last);
  return {
    text,
    toOriginal: (offset) => offset + shifts.filter((s) => s.at <= offset).reduce((sum, s) => sum + s.delta, 0),
  };
}
