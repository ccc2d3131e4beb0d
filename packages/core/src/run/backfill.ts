/**
 * `skene run --backfill-since <iso>`: capture only sees changes made after `skene migrate`, so a
 * first deploy would send nothing for the rows already there. A backfill treats each row of a
 * database-trigger table created since the instant (and by the run's clock) as an insert event
 * of that table, found by the creation column the plan uses for `--since`. Its jobs have their
 * own deterministic ids (subject `event:backfill:<table>:<key>`), so a second backfill creates
 * nothing new; the ledger's email id (`loop/step/key`) is the same as a captured insert's, so a
 * row that was also captured is still sent once.
 */
import type { LoadedConfig } from '../plan/load-config.js';
import { insertJobs, resolveTables, type EventsContext } from './enqueue.js';
import { qualifiedTable, type JobData } from './jobs.js';
import type { Queryable } from './state.js';

/** The creation columns `skene plan --since` looks for, in its order. */
export const CREATION_COLUMNS = ['created_at', 'inserted_at', 'createdAt', 'created'];

/** Rows read per statement. */
const PAGE = 1000;

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Insert-event steps by table: only those are backfilled (an update or a delete has no "since"). */
function insertStepsByTable(config: LoadedConfig, tables: ReadonlyMap<string, string>): Map<string, { loop: string; stepNo: number }[]> {
  const byTable = new Map<string, { loop: string; stepNo: number }[]>();
  for (const loop of config.loops) {
    for (const [i, step] of loop.steps.entries()) {
      if (step.trigger.type !== 'database' || step.trigger.event !== 'insert') continue;
      const table = tables.get(step.trigger.table) ?? qualifiedTable(step.trigger.table);
      byTable.set(table, [...(byTable.get(table) ?? []), { loop: loop.id, stepNo: i + 1 }]);
    }
  }
  return byTable;
}

/** The table's creation column and its one key column (the primary key, else `id`, as the plan). */
async function tableShape(db: Queryable, table: string): Promise<{ created: string; key: string }> {
  const [schema, name] = table.split('.') as [string, string];
  const { rows: columns } = await db.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`,
    [schema, name],
  );
  if (columns.length === 0) throw new Error(`--backfill-since: table ${table} does not exist in the database`);
  const names = columns.map((c) => c.column_name);
  const created = CREATION_COLUMNS.find((c) => names.includes(c));
  if (!created) throw new Error(`--backfill-since needs a creation time on ${table}: it has none of ${CREATION_COLUMNS.join(', ')}`);
  const { rows: pk } = await db.query<{ attname: string }>(
    `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
     WHERE i.indrelid = format('%I.%I', $1::text, $2::text)::regclass AND i.indisprimary`,
    [schema, name],
  );
  if (pk.length > 1) throw new Error(`--backfill-since: ${table} has a composite primary key; the runner evaluates single-column keys only`);
  const key = pk[0]?.attname ?? (names.includes('id') ? 'id' : undefined);
  if (!key) throw new Error(`--backfill-since: ${table} has no primary key and no id column`);
  return { created, key };
}

/** Enqueues one job per row created in [since, at] × insert step of its table; returns how many. */
export async function enqueueBackfill(ctx: EventsContext, since: Date): Promise<number> {
  let count = 0;
  for (const [table, steps] of insertStepsByTable(ctx.config, await resolveTables(ctx.db, ctx.config))) {
    const { created, key } = await tableShape(ctx.db, table);
    const from = table.split('.').map(quoteIdent).join('.');
    // Keyset pages in key order; the key as jsonb, the form capture records it in.
    let after: unknown = null;
    for (;;) {
      const { rows } = await ctx.db.query<{ key: unknown; k: unknown; created: Date }>(
        `SELECT to_jsonb(${quoteIdent(key)}) AS key, ${quoteIdent(key)} AS k, ${quoteIdent(created)}::timestamptz AS created FROM ${from}
         WHERE ${quoteIdent(created)} >= $1 AND ${quoteIdent(created)} <= $2 AND ($3::boolean OR ${quoteIdent(key)} > $4)
         ORDER BY ${quoteIdent(key)} LIMIT ${PAGE}`,
        [since, ctx.at, after === null, after],
      );
      const jobs: JobData[] = rows.flatMap((row) =>
        steps.map((s) => ({
          kind: 'event' as const,
          loop: s.loop,
          step: s.stepNo,
          eventId: `backfill:${table}:${typeof row.key === 'string' ? row.key : JSON.stringify(row.key)}`,
          key: row.key,
          occurredAt: new Date(row.created).toISOString(),
          checks: 0,
        })),
      );
      await insertJobs(ctx, jobs);
      count += jobs.length;
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1]!.k;
    }
  }
  return count;
}
