/** PostgreSQL over the network (`pg`): Supabase, Neon, Hasura's database, any PostgreSQL. */
import pg from 'pg';
import { pgReadOnly } from './postgres-session.js';
import { PG_PARSERS } from './pglite-snapshot.js';
import { seedLocation } from './seed.js';
import { describe, maskUrl, redact } from './url.js';
import type { Row, SeedFile, SqlSource } from './types.js';

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    const custom = PG_PARSERS[oid];
    return custom ?? pg.types.getTypeParser(oid, format as 'text');
  },
};

export async function openPostgres(url: string, options: { connectTimeoutMs?: number } = {}): Promise<SqlSource> {
  const label = maskUrl(url);
  const password = safePassword(url);
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    types: types as unknown as pg.CustomTypesConfig,
    application_name: 'skene plan',
  });
  // A dropped connection emits 'error' on the client; without a listener node would crash.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new Error(`cannot connect to ${label}: ${redact(describe(error), [password])}`);
  }
  return {
    kind: 'postgres',
    dialect: 'postgres',
    label,
    async seed(files: SeedFile[]) {
      for (const file of files) {
        try {
          await client.query(file.text);
        } catch (error) {
          const position = Number((error as { position?: string }).position);
          throw new Error(`seed ${seedLocation(file, position)} failed: ${(error as Error).message}`);
        }
      }
    },
    readOnly(fn) {
      return pgReadOnly(
        {
          control: async (sql) => {
            await client.query(sql);
          },
          // Passing `values` (even empty) makes pg use the extended protocol: one statement only.
          query: async (sql, params) => (await client.query<Row>({ text: sql, values: params })).rows,
          queryArrays: async (sql, params) => {
            const result = await client.query<unknown[]>({ text: sql, values: params, rowMode: 'array' });
            return { fields: result.fields.map((f) => f.name), rows: result.rows };
          },
        },
        fn,
      );
    },
    async close() {
      await client.end().catch(() => {});
    },
  };
}

function safePassword(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
