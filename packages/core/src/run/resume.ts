/**
 * `skene resume <loop>`: clears a loop's pause (a provider quota or `maxEmailsPerHour`), so the
 * next `skene run` pass works the loop's queued and deferred jobs again. The resume time is noted
 * in the state store (`resume:<loop>`, in `skene.cursors` for PostgreSQL): the hourly cap counts
 * from it, or the sends that paused the loop would pause it again at once.
 */
import type { LoadedConfig } from '../plan/load-config.js';
import { capturesBesideState, openState } from './backend-source.js';
import { withPgClient } from './pg-client.js';
import type { RunStateStore } from './state-store.js';
import { postgresStateStore } from './state-store-postgres.js';

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

/** Resumes one loop in an open state store. */
export async function resumeLoopIn(store: RunStateStore, config: Pick<LoadedConfig, 'loops'>, loop: string): Promise<ResumeResult> {
  assertLoop(config, loop);
  const was = await store.resumeLoop(loop);
  return was ? { loop, was: { reason: was.reason, since: was.since.toISOString() } } : { loop };
}

/** `resumeLoopIn` on the database a URL names (password never shown), or a MySQL, TiDB or Redis source's state (see runStatus). */
export async function resumeLoop(options: {
  databaseUrl: string;
  stateUrl?: string;
  cwd?: string;
  config: Pick<LoadedConfig, 'loops'>;
  loop: string;
}): Promise<ResumeResult> {
  assertLoop(options.config, options.loop);
  if (capturesBesideState(options.databaseUrl)) {
    const state = await openState({ sourceUrl: options.databaseUrl, stateUrl: options.stateUrl, cwd: options.cwd ?? process.cwd() });
    try {
      return await resumeLoopIn(state.store, options.config, options.loop);
    } finally {
      await state.close();
    }
  }
  return withPgClient({ url: options.databaseUrl, name: 'skene resume', doing: 'resume', keep: (error) => error instanceof UnknownLoopError }, (db) =>
    resumeLoopIn(postgresStateStore(db), options.config, options.loop),
  );
}
