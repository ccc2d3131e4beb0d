/**
 * MySQL's lexical rules, as the server applies them (sql_mode without ANSI_QUOTES and
 * NO_BACKSLASH_ESCAPES, which the MySQL source sets for every session):
 * - '…' and "…" are strings: a backslash escapes the next character, a doubled quote is one quote;
 * - `…` is an identifier: a doubled backtick is one backtick, and a backslash is just a backslash;
 * - `#` and `-- ` (two dashes and white space) start a comment to the end of the line; `--1` is
 *   minus minus one; `/* … *\/` is a comment — but `/*! … *\/`, `/*M! … *\/` and `/*+ … *\/` are
 *   code the server runs (executable comments, optimizer hints).
 * The guard reads conditions through these tokens, so what it checks is what the server runs.
 */

export type TokenKind = 'word' | 'quoted-identifier' | 'string' | 'number' | 'placeholder' | 'variable' | 'symbol' | 'comment' | 'executable-comment' | 'space';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  text: string;
}

export interface LexResult {
  tokens: Token[];
  /** An unterminated string, identifier or comment: where it starts. */
  unterminated?: { start: number; what: string };
}

const WORD = /[A-Za-z0-9_$\u0080-\uffff]/;
/** MySQL's white space: ASCII only (U+00A0 and other Unicode spaces are identifier characters to it). */
const SPACE = /[ \t\n\r\x0b\x0c]/;
const SYMBOLS = ['<=>', '->>', '<<', '>>', '<=', '>=', '<>', '!=', ':=', '||', '&&', '->'];

export function lexMysql(sql: string): LexResult {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number) => tokens.push({ kind, start, end, text: sql.slice(start, end) });
  while (i < sql.length) {
    const start = i;
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (SPACE.test(ch)) {
      while (i < sql.length && SPACE.test(sql[i]!)) i++;
      push('space', start, i);
    } else if (ch === '#' || (ch === '-' && next === '-' && (i + 2 >= sql.length || /[\x00-\x20]/.test(sql[i + 2]!)))) {
      while (i < sql.length && sql[i] !== '\n') i++;
      push('comment', start, i);
    } else if (ch === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close === -1) return { tokens, unterminated: { start, what: 'comment' } };
      i = close + 2;
      const executable = sql[start + 2] === '!' || sql[start + 2] === '+' || (/[Mm]/.test(sql[start + 2] ?? '') && sql[start + 3] === '!');
      push(executable ? 'executable-comment' : 'comment', start, i);
    } else if (ch === "'" || ch === '"' || ch === '`') {
      i++;
      let closed = false;
      while (i < sql.length) {
        const c = sql[i]!;
        if (c === '\\' && ch !== '`') i += 2;
        else if (c === ch && sql[i + 1] === ch) i += 2;
        else if (c === ch) {
          i++;
          closed = true;
          break;
        } else i++;
      }
      if (!closed) return { tokens, unterminated: { start, what: ch === '`' ? 'quoted identifier' : 'string' } };
      push(ch === '`' ? 'quoted-identifier' : 'string', start, i);
    } else if (
      ch === '$' &&
      /[0-9]/.test(next ?? '') &&
      !(tokens.length && tokens[tokens.length - 1]!.end === start && tokens[tokens.length - 1]!.kind === 'word')
    ) {
      i++;
      while (i < sql.length && /[0-9]/.test(sql[i]!)) i++;
      if (i < sql.length && WORD.test(sql[i]!)) {
        while (i < sql.length && WORD.test(sql[i]!)) i++;
        push('word', start, i);
      } else push('placeholder', start, i);
    } else if (ch === '@') {
      i++;
      if (sql[i] === '@') i++;
      if (sql[i] === '`' || sql[i] === "'" || sql[i] === '"') {
        const quote = sql[i]!;
        const close = sql.indexOf(quote, i + 1);
        if (close === -1) return { tokens, unterminated: { start, what: 'variable name' } };
        i = close + 1;
      } else while (i < sql.length && /[A-Za-z0-9_$.]/.test(sql[i]!)) i++;
      push('variable', start, i);
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(next ?? ''))) {
      while (i < sql.length && /[0-9.]/.test(sql[i]!)) i++;
      if (/[eE]/.test(sql[i] ?? '') && /[-+0-9]/.test(sql[i + 1] ?? '')) {
        i += 2;
        while (i < sql.length && /[0-9]/.test(sql[i]!)) i++;
      }
      // `1abc` and `0x1F` are words to MySQL (identifiers may start with a digit; hex literals).
      if (i < sql.length && WORD.test(sql[i]!)) {
        while (i < sql.length && WORD.test(sql[i]!)) i++;
        push('word', start, i);
      } else push('number', start, i);
    } else if (WORD.test(ch)) {
      while (i < sql.length && WORD.test(sql[i]!)) i++;
      push('word', start, i);
    } else {
      const symbol = SYMBOLS.find((s) => sql.startsWith(s, i)) ?? ch;
      i += symbol.length;
      push('symbol', start, i);
    }
  }
  return { tokens };
}

/** Tokens that are code: no white space, no ordinary comments. */
export function codeTokens(tokens: readonly Token[]): Token[] {
  return tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
}

/**
 * The text node-sql-parser is given for `sql`: comments blanked, and `<=>` (NULL-safe equality,
 * which its grammar lacks) read as `=` — same length, so positions hold. Only for reading the tree;
 * the server gets the condition as written.
 */
export function mysqlParserText(sql: string): string {
  const { tokens, unterminated } = lexMysql(sql);
  if (unterminated) return sql;
  let out = '';
  let last = 0;
  for (const t of tokens) {
    if (t.kind !== 'comment' && t.text !== '<=>') continue;
    out += sql.slice(last, t.start) + (t.kind === 'comment' ? t.text.replace(/[^\n]/g, ' ') : ' = ');
    last = t.end;
  }
  return out + sql.slice(last);
}
