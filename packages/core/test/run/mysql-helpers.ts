/** MariaDB databases and catalog reads shared by the MySQL capture and migrate tests. */
import type { TestContext } from 'node:test';
import mysql from 'mysql2/promise';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import type { CaptureConfig } from '../../src/run/index.js';
import { tempMysqlDatabase } from '../plan/helpers.js';

export function config(...triggers: [string, 'insert' | 'update' | 'delete'][]): CaptureConfig {
  return { loops: [{ id: 'l', steps: triggers.map(([table, event]) => ({ trigger: { type: 'database', table, event } })) }] };
}

export async function connect(t: TestContext, url: string, multipleStatements = false): Promise<mysql.Connection> {
  const connection = await mysql.createConnection({ uri: url, multipleStatements, timezone: 'Z' });
  connection.on('error', () => {});
  t.after(() => connection.end().catch(() => {}));
  return connection;
}

/** A throwaway database with `users`, `orders`, a table without a key and one with a composite key. */
export async function database(t: TestContext, name: string): Promise<{ url: string; db: string; client: mysql.Connection } | undefined> {
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return undefined;
  const url = await tempMysqlDatabase(t, server, name);
  const client = await connect(t, url, true);
  await client.query(`
    CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100));
    CREATE TABLE orders (code VARCHAR(20) PRIMARY KEY, total INT);
    CREATE TABLE no_key (email VARCHAR(100));
    CREATE TABLE pairs (a INT, b INT, PRIMARY KEY (a, b));`);
  return { url, db: new URL(url).pathname.slice(1), client };
}

/** Skene's triggers as the catalog shows them, and whether skene_events exists. */
export async function installed(client: mysql.Connection, db: string) {
  const [triggers] = await client.query(
    `SELECT TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS tbl, EVENT_MANIPULATION AS op, ACTION_STATEMENT AS body, CREATED AS created
     FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY TRIGGER_NAME`,
    [db],
  );
  const [tables] = await client.query(`SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'skene_events'`, [db]);
  return { triggers: triggers as { name: string; tbl: string; op: string; body: string; created: Date }[], events: (tables as unknown[]).length === 1 };
}
