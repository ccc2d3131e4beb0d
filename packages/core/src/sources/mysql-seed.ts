/**
 * Where a MySQL-dialect seed failed. The server runs a seed file as one multi-statement query
 * (so stored programs and the server's own statement splitting apply) and its errors carry no
 * position: the line comes from how many statements had run when it failed, and for a syntax
 * error from the `near '…' at line N` it quotes.
 */
import type { Connection } from 'mysql2';
import { lineAt } from './seed.js';
import type { SeedFile } from './types.js';

/** One statement of a seed: where its text starts (comments included), its first token, its end. */
export interface Statement {
  lead: number;
  token: number;
  end: number;
}

/** Runs a seed file; a failure names `file:line` of the statement that failed. */
export function runMysqlSeed(connection: Connection, file: SeedFile): Promise<void> {
  return new Promise((resolve, reject) => {
    let completed = 0;
    const query = connection.query(file.text, (error) => {
      if (!error) return resolve();
      reject(new Error(`seed ${mysqlSeedLocation(file, completed, error.message)} failed: ${error.message}`));
    });
    // One 'fields' event per statement that ran (an OK packet or a result set): the failing one is next.
    query.on('fields', () => completed++);
  });
}

/** `file:line` of statement number `completed` (0-based), refined by a syntax error's `near '…' at line N`. */
export function mysqlSeedLocation(file: SeedFile, completed: number, message: string): string {
  const statement = splitStatements(file.text)[completed];
  if (!statement) return file.path;
  let offset = statement.token;
  const near = /near '([\s\S]*)' at line (\d+)$/.exec(message);
  if (near) {
    // The quoted text is the statement from the offending token on, cut at some length (maybe
    // mid-character). MariaDB's N skips newlines inside string literals, so the text is preferred.
    const fragment = near[1]!.replace(/\uFFFD+$/, '');
    const found = fragment ? file.text.indexOf(fragment, statement.token) : statement.end;
    offset = found !== -1 && found <= statement.end ? found : lineOffset(file.text, statement.lead, Number(near[2]) - 1);
  }
  return `${file.path}:${lineAt(file.text, offset)}`;
}

/** The offset `lines` line breaks after `from` (clamped to the text). */
function lineOffset(text: string, from: number, lines: number): number {
  let offset = from;
  for (let i = 0; i < lines; i++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) break;
    offset = next + 1;
  }
  return offset;
}

const QUOTES = new Set(["'", '"', '`']);

/**
 * The statements of a MySQL script, split where the server splits them: at `;` outside strings,
 * quoted identifiers and comments, and outside the BEGIN … END body of a stored program.
 */
export function splitStatements(sql: string): Statement[] {
  const out: Statement[] = [];
  let current: Statement | undefined;
  let lead = -1;
  let depth = 0;
  let storedProgram = false;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (lead === -1) lead = i;
    const comment = commentEnd(sql, i);
    if (comment !== undefined) {
      i = comment;
      continue;
    }
    if (ch === ';' && depth === 0) {
      if (current) out.push(current);
      current = undefined;
      lead = -1;
      storedProgram = false;
      i++;
      continue;
    }
    current ??= { lead, token: i, end: i };
    if (QUOTES.has(ch)) {
      i = quotedEnd(sql, i);
    } else if (/[A-Za-z_]/.test(ch)) {
      const word = /^[A-Za-z_$0-9]+/.exec(sql.slice(i, i + 64))![0].toUpperCase();
      i += word.length;
      if (/^(TRIGGER|PROCEDURE|FUNCTION|EVENT)$/.test(word)) storedProgram = true;
      else if (storedProgram && (word === 'BEGIN' || word === 'CASE')) depth++;
      else if (storedProgram && word === 'END' && depth > 0 && !/^\s+(IF|LOOP|WHILE|REPEAT)\b/i.test(sql.slice(i, i + 16))) depth--;
    } else {
      i++;
    }
    current.end = i;
  }
  if (current) out.push(current);
  return out;
}

/** The offset after a comment starting at `i`, or undefined when none starts there. */
function commentEnd(sql: string, i: number): number | undefined {
  const two = sql.slice(i, i + 2);
  // `--` opens a comment only when followed by whitespace (MySQL), `#` always.
  if (sql[i] === '#' || (two === '--' && (i + 2 >= sql.length || /\s/.test(sql[i + 2]!)))) {
    const newline = sql.indexOf('\n', i);
    return newline === -1 ? sql.length : newline + 1;
  }
  // `/*! … */` and `/*M! … */` are code the server runs (mysqldump's SET statements), not comments.
  if (two === '/*' && !/^\/\*M?!/.test(sql.slice(i, i + 4))) {
    const close = sql.indexOf('*/', i + 2);
    return close === -1 ? sql.length : close + 2;
  }
  return undefined;
}

/** The offset after the quoted string or identifier starting at `i` (doubled quotes, backslash escapes). */
function quotedEnd(sql: string, i: number): number {
  const quote = sql[i]!;
  let j = i + 1;
  while (j < sql.length) {
    if (sql[j] === '\\' && quote !== '`') j += 2;
    else if (sql[j] === quote && sql[j + 1] === quote) j += 2;
    else if (sql[j] === quote) return j + 1;
    else j++;
  }
  return sql.length;
}
