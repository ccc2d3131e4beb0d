/**
 * The one interface the plan engine talks to. A SQL source runs read-only statements inside a
 * transaction that is always rolled back; a Redis source runs allow-listed read commands.
 */
import type { SqlDialect } from '../dialect.js';

export type Row = Record<string, unknown>;

export type SourceKind = 'pglite' | 'postgres' | 'mysql' | 'redis' | 'upstash';

export interface QueryOptions {
  /** Statement deadline (already capped by the caller). */
  timeoutMs: number;
  /** The instant the query sees as "now" (`now()`, `CURRENT_TIMESTAMP`, `NOW()`…). */
  at: Date;
}

/** A read-only session: every statement runs in a READ ONLY transaction that is rolled back. */
export interface SqlSession {
  /** One statement. Parameters are `$1…` (PostgreSQL) or `?` (MySQL dialect). */
  query(sql: string, params: unknown[], options: QueryOptions): Promise<Row[]>;
  /** The same, rows as arrays with the column names (several columns may share a name). PostgreSQL sources. */
  queryArrays?(sql: string, params: unknown[], options: QueryOptions): Promise<{ fields: string[]; rows: unknown[][] }>;
}

export interface SeedFile {
  path: string;
  text: string;
}

interface SourceBase {
  kind: SourceKind;
  /** What the report shows: the URL with its password masked, or "embedded PostgreSQL (PGlite)". */
  label: string;
  /**
   * Runs seed files (SQL in name order, or Redis command files) in this source's own database.
   * Seeding is the only write; `openSource` never seeds a database a URL names (see scratch.ts).
   */
  seed(files: SeedFile[]): Promise<void>;
  close(): Promise<void>;
}

export interface SqlSource extends SourceBase {
  kind: 'pglite' | 'postgres' | 'mysql';
  dialect: SqlDialect;
  /**
   * Found when the source opened, for the report: e.g. the role it connected as can write (a
   * superuser, or write grants) — the plan only reads, but a read-only role is the stronger guarantee.
   */
  warnings?: string[];
  /** Runs `fn` with a read-only session; whatever happens, the transaction is rolled back. */
  readOnly<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
}

export type RedisReply = string | number | null | RedisReply[];

export interface RedisHash {
  key: string;
  /** The part of the key after `<prefix>:`. */
  id: string;
  fields: Record<string, string>;
}

export interface RedisSource extends SourceBase {
  kind: 'redis' | 'upstash';
  dialect: 'redis';
  /** Allow-listed read commands in one round trip; a failed command comes back as an Error. */
  read(commands: string[][], timeoutMs: number): Promise<(RedisReply | Error)[]>;
  /** Every hash whose key is `<prefix>:<id>`, sorted by id. */
  hashes(prefix: string, timeoutMs: number): Promise<RedisHash[]>;
}

export type DataSource = SqlSource | RedisSource;

/** An error from a data source, classified for `recovery`: transient errors are retried, others not. */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly code?: string,
    readonly kind: 'timeout' | 'read-only' | 'connection' | 'query' | 'refused' = 'query',
  ) {
    super(message);
    this.name = 'SourceError';
  }
}
