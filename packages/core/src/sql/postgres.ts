/** PostgreSQL's real parser (libpg-query: the server's own grammar, compiled to WebAssembly). */
import { loadModule, parseSync } from 'libpg-query';

let ready: Promise<void> | undefined;
let loaded = false;

/** Loads the WebAssembly parser once; every synchronous parse below needs it. */
export function loadPostgresParser(): Promise<void> {
  return (ready ??= loadModule().then(() => {
    loaded = true;
  }));
}

export interface PgParseResult {
  stmts: { stmt: Record<string, unknown>; stmt_location?: number; stmt_len?: number }[];
}

export type ParseOutcome<T> = { ok: true; ast: T } | { ok: false; offset: number; message: string };

/** Parses `sql`; on a syntax error returns the 0-based offset the parser points at. */
export function parsePostgres(sql: string): ParseOutcome<PgParseResult> {
  // A programming error, not a user's: without this, every query would look like a syntax error.
  if (!loaded) throw new Error('PostgreSQL parser not loaded: await prepareAnalysis() first');
  try {
    return { ok: true, ast: parseSync(sql) as PgParseResult };
  } catch (error) {
    const details = (error as { sqlDetails?: { cursorPosition?: number; message?: string } }).sqlDetails;
    const message = details?.message ?? (error instanceof Error ? error.message : String(error));
    // The parser's cursor counts code points; JavaScript strings (and LSP) count UTF-16 units.
    const offset = typeof details?.cursorPosition === 'number' ? codePointsToUtf16(sql, details.cursorPosition) : sql.length;
    return { ok: false, offset: Math.max(0, Math.min(offset, sql.length)), message };
  }
}

/** Depth-first visit of every `{ NodeType: {...} }` in a libpg-query tree. */
export function visitPg(node: unknown, visit: (type: string, value: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) visitPg(item, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  // for…in, not Object.entries: the same keys in the same order (a tree is JSON.parse's own plain
  // objects) without an array per node, and leaves are skipped without a call — every condition's
  // tree is walked as a cold start reads the config.
  for (const key in node) {
    const value = (node as Record<string, unknown>)[key];
    if (!value || typeof value !== 'object') continue;
    if (!Array.isArray(value) && isNodeType(key)) visit(key, value as Record<string, unknown>);
    visitPg(value, visit);
  }
}

/** Whether a key of a libpg-query tree names a node's type (`SelectStmt`, `ColumnRef`) rather than a field (`targetList`). */
export function isNodeType(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 0x41 && first <= 0x5a; // A–Z
}

const ASCII = /^[\x00-\x7f]*$/;

/** `bytesToUtf16` for many locations in one `sql`: whether it is ASCII (offsets are then equal) is checked once. */
export function utf16Locations(sql: string): (bytes: number) => number {
  return ASCII.test(sql) ? (bytes) => bytes : (bytes) => bytesToUtf16(sql, bytes);
}

/** A parse tree `location` (UTF-8 bytes, as PostgreSQL counts) as a UTF-16 offset into `sql`. */
export function bytesToUtf16(sql: string, bytes: number): number {
  if (ASCII.test(sql)) return bytes;
  let seen = 0;
  let i = 0;
  while (i < sql.length && seen < bytes) {
    const cp = sql.codePointAt(i)!;
    seen += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/** A count of code points from the start of `sql` as a UTF-16 offset. */
export function codePointsToUtf16(sql: string, codePoints: number): number {
  if (ASCII.test(sql)) return codePoints;
  let i = 0;
  for (let n = 0; n < codePoints && i < sql.length; n++) i += sql.codePointAt(i)! > 0xffff ? 2 : 1;
  return i;
}
