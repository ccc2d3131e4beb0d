/**
 * The read-only session shared by PGlite and PostgreSQL: statements run inside
 * `BEGIN … READ ONLY` with `SET LOCAL statement_timeout`, the clock is pinned by rewriting
 * the SQL, and the transaction is always rolled back.
 */
import { loadPostgresParser, pinPostgresClock } from './postgres-clock.js';
import { SourceError, type QueryOptions, type Row, type SqlSession } from './types.js';
import { Memo } from '../memo.js';

/** The two calls a PostgreSQL client must offer. */
export interface PgExecutor {
  /** Several control statements in one round trip (simple protocol), no parameters. */
  control(sql: string): Promise<void>;
  /** One statement with parameters (extended protocol: a second statement is a syntax error). */
  query(sql: string, params: unknown[]): Promise<Row[]>;
  /** The same, rows as arrays. */
  queryArrays(sql: string, params: unknown[]): Promise<{ fields: string[]; rows: unknown[][] }>;
}

export async function pgReadOnly<T>(executor: PgExecutor, fn: (session: SqlSession) => Promise<T>): Promise<T> {
  await loadPostgresParser();
  let open = false;
  let currentTimeout = -1;
  const pinned = new Memo<string>(1000);

  const rollback = async () => {
    if (!open) return;
    open = false;
    currentTimeout = -1;
    try {
      await executor.control('ROLLBACK');
    } catch {
      // the connection is gone; nothing was written either way
    }
  };

  /** Runs one statement inside the read-only transaction, pinning the clock and the deadline. */
  async function run<T>(sql: string, options: QueryOptions, exec: (text: string) => Promise<T>): Promise<T> {
    const timeoutMs = Math.max(1, Math.round(options.timeoutMs));
    const key = `${options.at.toISOString()}\n${sql}`;
    const text = pinned.get(key, () => pinPostgresClock(sql, options.at).sql);
    try {
      if (!open) {
        // REPEATABLE READ: every query of the plan sees one snapshot. standard_conforming_strings:
        // the server reads '\' as the guard's parser does (a database may have it off).
        await executor.control(
          `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL statement_timeout = ${timeoutMs}; SET LOCAL TIME ZONE 'UTC'; SET LOCAL standard_conforming_strings = on`,
        );
        open = true;
        currentTimeout = timeoutMs;
      } else if (currentTimeout !== timeoutMs) {
        await executor.control(`SET LOCAL statement_timeout = ${timeoutMs}`);
        currentTimeout = timeoutMs;
      }
      return await exec(text);
    } catch (error) {
      // An error aborts a PostgreSQL transaction: end it; the next query begins a fresh one.
      await rollback();
      throw classifyPgError(error, timeoutMs);
    }
  }

  const session: SqlSession = {
    query: (sql, params, options) => run(sql, options, (text) => executor.query(text, params)),
    queryArrays: (sql, params, options) => run(sql, options, (text) => executor.queryArrays(text, params)),
  };
  try {
    return await fn(session);
  } finally {
    await rollback();
  }
}

const TRANSIENT_STATES = new Set(['40001', '40P01', '53300', '55P03', '57P01', '57P02', '57P03', '58000']);
const TRANSIENT_NODE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);

export function classifyPgError(error: unknown, timeoutMs?: number): SourceError {
  if (error instanceof SourceError) return error;
  const e = error as { code?: string; message?: string };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = e.message ?? String(error);
  if (code === '57014') {
    return new SourceError(`query timed out after ${formatMs(timeoutMs)} (statement_timeout)`, true, code, 'timeout');
  }
  if (code === '25006') {
    return new SourceError(`refused: ${message} — plan queries run in a READ ONLY transaction and never write`, false, code, 'read-only');
  }
  if (
    (code && (code.startsWith('08') || TRANSIENT_STATES.has(code))) ||
    (code && TRANSIENT_NODE_CODES.has(code)) ||
    /Connection terminated|connection lost/i.test(message)
  ) {
    return new SourceError(message, true, code, 'connection');
  }
  return new SourceError(message, false, code, 'query');
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return 'its deadline';
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
