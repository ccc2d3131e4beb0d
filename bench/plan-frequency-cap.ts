/**
 * What the frequency cap (`limits.perUser`) costs a plan: the same two loops over 100,000 users
 * (an activation loop, database trigger, and a daily retention schedule, both due at the plan's
 * clock, so many people are wanted by both) planned without a cap, with one, and with one and the
 * runner's state (a PostgreSQL state store holding 20,000 earlier sends). Plans are measured in
 * alternation (best of 5 each), with bodies rendered and without, so a busy machine slows all
 * alike. A throwaway database `skene_bench_cap` is created and dropped here.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { normalizeConfig } from '@skene/sdk';
import { ensureState, openSource, runPlan, type LoadedConfig, type PlanOptions } from '@skene/core';
// The state store is not part of core's API: the built module, as the runner uses it.
import { postgresStateStore } from '../packages/core/dist/run/state-store-postgres.js';
import { recipientStateOf } from '../packages/core/dist/run/consent.js';
import { applyFrequencyCap } from '../packages/core/dist/plan/frequency-cap.js';
import { fmt } from './stats.js';
import { admin, dropDatabase, freshDatabase } from './_postgres.js';

const DB = 'skene_bench_cap';
const USERS = 100_000;
const AT = new Date('2026-03-02T09:00:00Z');
const EARLIER_SENDS = 20_000;

const SEED = `
CREATE TABLE users (
  id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL,
  last_activity_at timestamptz, re_engagement_sent boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL);
CREATE TABLE user_actions (id bigserial PRIMARY KEY, user_id integer NOT NULL, action_type text NOT NULL, created_at timestamptz NOT NULL);
CREATE INDEX user_actions_user_action ON user_actions (user_id, action_type);
INSERT INTO users
  SELECT i, 'user' || i || '@example.com', 'User ' || i,
         timestamptz '2026-03-02 08:00Z' - (i % 30) * interval '1 day', i % 10 = 0, timestamptz '2026-01-01Z' + i * interval '1 minute'
  FROM generate_series(1, ${USERS}) i;
INSERT INTO user_actions (user_id, action_type, created_at)
  SELECT i, 'first_project_created', timestamptz '2026-01-02Z' + i * interval '1 minute' FROM generate_series(1, ${USERS}) i WHERE i % 3 = 0;
ANALYZE;`;

function configOf(dir: string, limits: boolean): LoadedConfig {
  const config = normalizeConfig({
    email: { from: 'Acme <hello@acme.example>' },
    ...(limits ? { limits: { perUser: { emails: 1, per: '1d' } } } : {}),
    loops: [
      {
        id: 'activation',
        type: 'activation',
        opinion: 'Welcome users who created their first project',
        steps: [
          {
            trigger: { type: 'database', table: 'users', event: 'insert' },
            condition: { type: 'query', query: `SELECT 1 FROM user_actions WHERE user_id = $1 AND action_type = 'first_project_created'` },
            action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
          },
        ],
      },
      {
        id: 'retention',
        type: 'retention',
        opinion: 'Re-engage users idle for a week',
        steps: [
          {
            trigger: { type: 'schedule', cron: '0 9 * * *' },
            condition: { type: 'query', query: `SELECT * FROM users WHERE last_activity_at < NOW() - INTERVAL '7 days' AND re_engagement_sent = false` },
            action: { type: 'email', provider: 'resend', template: 're_engagement', personalization: { name: '{{user.name}}' } },
          },
        ],
      },
    ],
  });
  return { ...config, file: join(dir, 'skene.config.ts'), dir };
}

/** Wall time and this process's CPU time (ms): on a busy machine the CPU time is the steadier figure. */
async function time(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'skene-bench-cap-'));
  mkdirSync(join(dir, 'emails'));
  writeFileSync(join(dir, 'emails', 'welcome.html'), '<html><head><title>Welcome, {{name}}</title></head><body><h1>Hi {{name}}</h1></body></html>');
  writeFileSync(join(dir, 'emails', 're_engagement.html'), '<html><head><title>We miss you, {{name}}</title></head><body><p>Come back.</p></body></html>');
  const url = await freshDatabase(DB);
  try {
    await admin((c) => c.query(SEED), url);
    // The runner's state beside the data, with earlier sends to some of the same people (a day ago, in the window).
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    await ensureState(pool);
    await pool.query(
      `INSERT INTO skene.sends (email_id, loop_id, step, "key", recipient, state, created_at, sent_at)
       SELECT 'earlier/1/' || i, 'earlier', 1, i::text, 'user' || i || '@example.com', 'sent', $1, $1 FROM generate_series(1, ${EARLIER_SENDS}) i`,
      [new Date(AT.getTime() - 3_600_000)],
    );
    // Rows of a Skene that records the cap's columns get them; an older one leaves them empty.
    await pool
      .query(`UPDATE skene.sends SET address = lower(recipient), due_at = created_at`)
      .catch(() => console.log('  (this Skene records no address or due time in the ledger: the state is not counted)'));
    const store = recipientStateOf(postgresStateStore(pool));
    const source = await openSource({ url });
    try {
      const plain = configOf(dir, false);
      const capped = configOf(dir, true);
      const variants: [string, Partial<PlanOptions>][] = [
        ['no cap', { config: plain }],
        ['cap 1 per 1d', { config: capped }],
        ['cap + state', { config: capped, recipientState: store }],
      ];
      for (const render of [false, true]) {
        const best = new Map<string, { wall: number; cpu: number }>();
        const emails = new Map<string, number>();
        await runPlan({ config: plain, source, at: AT, render }); // warm-up
        for (let round = 0; round < 5; round++) {
          for (const [name, options] of variants) {
            let report: Awaited<ReturnType<typeof runPlan>> | undefined;
            const t = await time(async () => (report = await runPlan({ source, at: AT, render, ...options } as PlanOptions)));
            const was = best.get(name) ?? { wall: Infinity, cpu: Infinity };
            best.set(name, { wall: Math.min(was.wall, t.wall), cpu: Math.min(was.cpu, t.cpu) });
            emails.set(name, report!.totals.emails);
          }
        }
        const base = best.get('no cap')!;
        const pct = (ms: number, of: number) => `${ms >= of ? '+' : ''}${(((ms - of) / of) * 100).toFixed(1)}%`;
        console.log(`  ${render ? 'bodies rendered' : 'without bodies'} (best of 5; wall, and this process's CPU):`);
        for (const [name] of variants) {
          const t = best.get(name)!;
          const vs = name === 'no cap' ? '' : ` (${pct(t.wall, base.wall)} wall, ${pct(t.cpu, base.cpu)} CPU vs no cap)`;
          console.log(`    ${name.padEnd(13)} ${emails.get(name)!.toLocaleString('en-US').padStart(7)} emails in ${fmt(t.wall)} wall, ${fmt(t.cpu)} CPU${vs}`);
        }
      }
      // The cap's pass alone, over the uncapped plan's report (a fresh copy each time).
      const uncapped = await runPlan({ config: plain, source, at: AT, render: false });
      let pass = { wall: Infinity, cpu: Infinity };
      for (let round = 0; round < 5; round++) {
        const copy = structuredClone(uncapped);
        const t = await time(() => applyFrequencyCap({ loops: copy.loops, config: capped }));
        pass = { wall: Math.min(pass.wall, t.wall), cpu: Math.min(pass.cpu, t.cpu) };
      }
      console.log(
        `  the cap's pass alone over ${uncapped.totals.emails.toLocaleString('en-US')} emails: ${fmt(pass.wall)} wall, ${fmt(pass.cpu)} CPU (best of 5)`,
      );
      console.log(`  machine load while measuring: ${loadavg()[0]!.toFixed(1)} (1-min average) on ${cpus().length} CPUs`);
    } finally {
      await source.close();
      await pool.end();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropDatabase(DB);
  }
}
