/**
 * The goal rows (goal-store.ts) in PostgreSQL or PGlite: `skene.goals`, created with the runner's
 * other state tables (state.ts). Each change is one statement guarded by the row's state, so a
 * row leaves 'checking' once however many workers check it.
 */
import type { DueGoal, GoalCount, GoalStore, GoalUpdate } from './goal-store.js';
import { S, type Queryable } from './state.js';

export function postgresGoalStore(db: Queryable): GoalStore {
  return {
    async track(goals) {
      if (!goals.length) return;
      await db.query(
        `INSERT INTO ${S}.goals (email_id, loop_id, step, user_key, within_ms, state)
         SELECT id, l, s, u, w, 'unsent' FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::bigint[]) AS t(id, l, s, u, w)
         ON CONFLICT (email_id) DO NOTHING`,
        [goals.map((g) => g.emailId), goals.map((g) => g.loop), goals.map((g) => g.step), goals.map((g) => g.userKey), goals.map((g) => g.withinMs)],
      );
    },

    async sent(emailIds, sentAt) {
      if (!emailIds.length) return;
      await db.query(
        `UPDATE ${S}.goals SET state = 'checking', sent_at = $2, deadline = $2::timestamptz + within_ms * interval '1 millisecond', next_check_at = $2, updated_at = now()
         WHERE email_id = ANY($1::text[]) AND state = 'unsent'`,
        [emailIds, sentAt.toISOString()],
      );
    },

    async due(at, loops, limit) {
      const { rows } = await db.query<{ email_id: string; loop_id: string; step: number; user_key: string; sent_at: Date; deadline: Date; checks: number }>(
        `SELECT email_id, loop_id, step, user_key, sent_at, deadline, checks FROM ${S}.goals
         WHERE state = 'checking' AND next_check_at <= $1 AND loop_id = ANY($2::text[]) ORDER BY next_check_at, email_id LIMIT ${Math.max(1, Math.floor(limit))}`,
        [at.toISOString(), loops],
      );
      return rows.map((r): DueGoal => ({
        emailId: r.email_id,
        loop: r.loop_id,
        step: r.step,
        userKey: r.user_key,
        sentAt: new Date(r.sent_at),
        deadline: new Date(r.deadline),
        checks: r.checks,
      }));
    },

    async update(updates) {
      const of = <K extends GoalUpdate['state']>(state: K) => updates.filter((u): u is Extract<GoalUpdate, { state: K }> => u.state === state);
      const converted = of('converted');
      const not = of('not-converted');
      const again = of('checking');
      let settled = 0;
      if (converted.length) {
        const r = await db.query(
          `UPDATE ${S}.goals g SET state = 'converted', converted_at = t.c, checks = checks + 1, next_check_at = NULL, updated_at = now()
           FROM unnest($1::text[], $2::timestamptz[]) AS t(id, c) WHERE g.email_id = t.id AND g.state = 'checking'`,
          [converted.map((u) => u.emailId), converted.map((u) => u.convertedAt.toISOString())],
        );
        settled += r.rowCount ?? 0;
      }
      if (not.length) {
        const r = await db.query(
          `UPDATE ${S}.goals SET state = 'not-converted', checks = checks + 1, next_check_at = NULL, updated_at = now()
           WHERE email_id = ANY($1::text[]) AND state = 'checking'`,
          [not.map((u) => u.emailId)],
        );
        settled += r.rowCount ?? 0;
      }
      if (again.length) {
        await db.query(
          `UPDATE ${S}.goals g SET checks = checks + 1, next_check_at = t.n, updated_at = now()
           FROM unnest($1::text[], $2::timestamptz[]) AS t(id, n) WHERE g.email_id = t.id AND g.state = 'checking'`,
          [again.map((u) => u.emailId), again.map((u) => u.nextCheckAt.toISOString())],
        );
      }
      return settled;
    },

    async counts() {
      const { rows: exists } = await db.query<{ ok: boolean }>(`SELECT to_regclass('${S}.goals') IS NOT NULL AS ok`);
      if (!exists[0]?.ok) return [];
      const { rows } = await db.query<{ loop: string; step: number; tracked: number; converted: number; not_converted: number; median: number | null }>(
        `SELECT loop_id AS loop, step,
                count(*) FILTER (WHERE state <> 'unsent')::int AS tracked,
                count(*) FILTER (WHERE state = 'converted')::int AS converted,
                count(*) FILTER (WHERE state = 'not-converted')::int AS not_converted,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY GREATEST(0, extract(epoch FROM converted_at - sent_at) * 1000)) FILTER (WHERE state = 'converted') AS median
         FROM ${S}.goals GROUP BY 1, 2 HAVING count(*) FILTER (WHERE state <> 'unsent') > 0 ORDER BY 1, 2`,
      );
      return rows.map((r): GoalCount => ({
        loop: r.loop,
        step: r.step,
        tracked: r.tracked,
        converted: r.converted,
        notConverted: r.not_converted,
        medianMs: r.median === null ? null : Math.round(Number(r.median)),
      }));
    },
  };
}
