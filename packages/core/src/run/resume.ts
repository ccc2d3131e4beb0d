/**
 * `skene resume <loop>`: clears a loop's pause (a provider quota or `maxEmailsPerHour`), so the
 * next `skene run` pass works the loop's queued and deferred jobs again. The resume time is noted
 * (`skene.cursors`, `resume:<loop>`): the hourly cap counts from it, or the sends that paused the
 * loop would pause it again at once.
 */
import type { LoadedConfig } from '../plan/load-config.js';
import { withPgClient } from './pg-client.js';
import { resumeCursor } from './cap.js';
import { S, type Queryable } from './state.js';

export interface ResumeResult {
  loop: string;
  /** The pause that was cleared; undefined when the loop was not paused. */
  was?: { reason: string; since: string };
}

export class UnknownLoopError extends Error {}

function assertLoop(config: Pick<LoadedConfig, 'loops'>, loop: string): void {
  const ids = config.loops.map((l) => l.id);
  if (!ids.includes(loop)) {
    throw new UnknownLoopError(`no loop '${loop}' in the config: its loops are ${ids.length ? ids.join(', ') : '(none)'}`);
  }
}

/** Resumes one loop on an open connection. */
export async function resumeLoopIn(db: Queryable, config: Pick<LoadedConfig, 'loops'>, loop: string): Promise<ResumeResult> {
  assertLoop(config, loop);
  // A database `skene run` never touched has no pause to clear.
  const { rows: present } = await db.query<{ ok: boolean }>(`SELECT to_regclass('${S}.loop_state') IS NOT NULL AS ok`);
  if (!present[0]?.ok) return { loop };
  const { rows } = await db.query<{ reason: string; since: Date }>(
    `DELETE FROM ${S}.loop_state WHERE loop_id = $1 AND state = 'paused' RETURNING reason, since`,
    [loop],
  );
  const row = rows[0];
  if (!row) return { loop };
  await db.query(
    `INSERT INTO ${S}.cursors (name, fired_at) VALUES ($1, now())
     ON CONFLICT (name) DO UPDATE SET fired_at = EXCLUDED.fired_at, updated_at = now()`,
    [resumeCursor(loop)],
  );
  return { loop, was: { reason: row.reason, since: new Date(row.since).toISOString() } };
}

/** `resumeLoopIn` on the database a URL names (password never shown). */
export async function resumeLoop(options: { databaseUrl: string; config: Pick<LoadedConfig, 'loops'>; loop: string }): Promise<ResumeResult> {
  assertLoop(options.config, options.loop);
  return withPgClient({ url: options.databaseUrl, name: 'skene resume', doing: 'resume', keep: (error) => error instanceof UnknownLoopError }, (db) =>
    resumeLoopIn(db, options.config, options.loop),
  );
}
