/** Shared by TiDB's watermark capture tests (MariaDB with `database.flavor: 'tidb'` forced). */
import mysql from 'mysql2/promise';
import type { TestContext } from 'node:test';
import { normalizeConfig } from '@skene/sdk';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import type { CapturedEvent, DrainContext, PositionStore } from '../../src/run/capture.js';
import { formatMicros, parseMicros } from '../../src/run/watermark-tables.js';
import { tempMysqlDatabase } from '../plan/helpers.js';

export const T0 = new Date('2026-03-02T09:00:00.000Z');
/** T0 + seconds, as a UTC 'YYYY-MM-DD HH:MM:SS.ffffff' (µs added). */
export const ts = (seconds: number, micros = 0) => formatMicros(T0.getTime() * 1000 + seconds * 1_000_000 + micros);
export const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
export const µs = (text: string) => parseMicros(text);

export type Trigger = [string, 'insert' | 'update' | 'delete'];
export function makeConfig(triggers: Trigger[], database: Record<string, unknown> = {}) {
  return normalizeConfig({
    database: { flavor: 'tidb', ...database },
    loops: [
      {
        id: 'l',
        type: 'activation',
        opinion: 'x',
        steps: triggers.map(([table, event]) => ({
          trigger: { type: 'database', table, event },
          action: { type: 'email', provider: 'resend', template: 'welcome' },
        })),
      },
    ],
  });
}

export function memoryPositions(): PositionStore & { values: Map<string, string>; writes: number } {
  const values = new Map<string, string>();
  const store = {
    values,
    writes: 0,
    get: async (name: string) => values.get(name),
    set: async (name: string, value: string) => {
      store.writes++;
      values.set(name, value);
    },
  };
  return store;
}

/** A drain context that records what it was handed (or throws, when `fail` is set). */
export function context(positions: PositionStore, seconds: number, fail?: Error): DrainContext & { events: CapturedEvent[] } {
  const events: CapturedEvent[] = [];
  return {
    events,
    positions,
    at: at(seconds),
    async enqueue(page) {
      if (fail) throw fail;
      events.push(...page);
    },
  };
}

/** A fresh database with `schema` run in it; `name` is the database's name, as event ids and positions spell it. */
export async function database(t: TestContext, schema: string): Promise<{ url: string; db: mysql.Connection; name: string } | undefined> {
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return undefined;
  const url = await tempMysqlDatabase(t, server, 'skene_watermark');
  const db = await mysql.createConnection({ uri: url, multipleStatements: true });
  t.after(() => db.end().catch(() => {}));
  await db.query("SET time_zone = '+00:00'");
  await db.query(schema);
  return { url, db, name: decodeURIComponent(new URL(url).pathname.slice(1)) };
}
