/**
 * Plan throughput on a seeded 100,000-user PostgreSQL (a throwaway `skene_bench` database,
 * created and dropped here): an activation loop (database trigger, per-row condition) and a
 * retention loop (daily schedule). Prints wall time, emails per second, and the ratio to the
 * floor — the equivalent set-based SQL run directly in the same database (target ≤ 2×); the
 * one-query-per-row baseline (what batching saves); and PGlite's cold start (target ≤ 1 s).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { normalizeConfig } from '@skene/sdk';
import { openSource, runPlan, snapshotPath, type LoadedConfig } from '@skene/core';
import { fmt, percentile } from './stats.js';
import { admin, dropDatabase, freshDatabase } from './_postgres.js';

const DB = 'skene_bench';
const USERS = 100_000;
const AT = new Date('2026-03-02T09:00:00Z');

const ACTIVATION_QUERY = `SELECT * FROM user_actions WHERE user_id = $1 AND action_type = 'first_project_created'`;
const RETENTION_QUERY = `SELECT * FROM users WHERE last_activity_at < NOW() - INTERVAL '7 days' AND re_engagement_sent = false`;

const SEED = `
CREATE TABLE users (
  id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL, activation_link text,
  last_activity_at timestamptz, re_engagement_sent boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL);
CREATE TABLE user_actions (id bigserial PRIMARY KEY, user_id integer NOT NULL, action_type text NOT NULL, created_at timestamptz NOT NULL);
CREATE INDEX user_actions_user_action ON user_actions (user_id, action_type);
INSERT INTO users
  SELECT i, 'user' || i || '@example.com', 'User ' || i, 'https://app.example.com/activate/' || md5(i::text),
         timestamptz '2026-03-02 08:00Z' - (i % 30) * interval '1 day', i % 10 = 0, timestamptz '2026-01-01Z' + i * interval '1 minute'
  FROM generate_series(1, ${USERS}) i;
INSERT INTO user_actions (user_id, action_type, created_at)
  SELECT i, 'signed_in', timestamptz '2026-01-01Z' + i * interval '1 minute' FROM generate_series(1, ${USERS}) i;
INSERT INTO user_actions (user_id, action_type, created_at)
  SELECT i, 'first_project_created', timestamptz '2026-01-02Z' + i * interval '1 minute' FROM generate_series(1, ${USERS}) i WHERE i % 3 = 0;
ANALYZE;`;

function loops(): LoadedConfig {
  const dir = mkdtempSync(join(tmpdir(), 'skene-bench-plan-'));
  mkdirSync(join(dir, 'emails'));
  writeFileSync(
    join(dir, 'emails', 'welcome.html'),
    '<html><head><title>Welcome, {{name}}</title></head><body><h1>Hi {{name}}</h1><p><a href="{{activationLink}}">Finish setting up</a></p></body></html>',
  );
  // The retention email again as a React Email component (the Hasura example's): rendered by React per email.
  copyFileSync(new URL('../examples/hasura/emails/re_engagement.tsx', import.meta.url), join(dir, 'emails', 're_engagement_react.tsx'));
  writeFileSync(
    join(dir, 'emails', 're_engagement.html'),
    '<html><head><title>We miss you, {{name}}</title></head><body><p>Last seen {{lastActivity}}.</p></body></html>',
  );
  const config = normalizeConfig({
    email: { from: 'Acme <hello@acme.example>' },
    loops: [
      {
        id: 'activation',
        type: 'activation',
        opinion: 'Welcome users who created their first project',
        steps: [
          {
            trigger: { type: 'database', table: 'users', event: 'insert' },
            condition: { type: 'query', query: ACTIVATION_QUERY, timeout: '5m' },
            action: {
              type: 'email',
              provider: 'resend',
              template: 'welcome',
              personalization: { name: '{{user.name}}', activationLink: '{{user.activation_link}}' },
            },
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
            condition: { type: 'query', query: RETENTION_QUERY, timeout: '10m' },
            action: {
              type: 'email',
              provider: 'resend',
              template: 're_engagement',
              personalization: { name: '{{user.name}}', lastActivity: '{{user.last_activity_at}}' },
            },
          },
        ],
      },
    ],
  });
  return { ...config, file: join(dir, 'skene.config.ts'), dir };
}

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, performance.now() - t0];
}

export async function run(): Promise<void> {
  const url = await freshDatabase(DB);
  const config = loops();
  try {
    const [, seedMs] = await time(() => admin((c) => c.query(SEED), url));
    console.log(`  seeded ${USERS.toLocaleString('en-US')} users in ${fmt(seedMs)} (${DB}, dropped at the end)`);

    const source = await openSource({ url });
    const one = (id: string): LoadedConfig => ({ ...config, loops: config.loops.filter((l) => l.id === id) });
    try {
      // The floor: the same data, set-based, straight from the database into this process. For
      // activation that is every users row (the plan counts the waiting ones too) with its
      // condition's first row, or none. Floor and plan are measured in alternation (best of 3
      // each), so a busy machine slows both alike.
      const floorQuery = {
        activation: `SELECT u.*, m.* FROM users u LEFT JOIN LATERAL (SELECT * FROM user_actions a WHERE a.user_id = u.id AND a.action_type = 'first_project_created' LIMIT 1) m ON true`,
        retention: RETENTION_QUERY.replace('NOW()', `'${AT.toISOString()}'::timestamptz`),
      };
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const expected = (
        await client.query(
          `SELECT count(*)::int AS n FROM users u WHERE EXISTS (SELECT 1 FROM user_actions a WHERE a.user_id = u.id AND a.action_type = 'first_project_created')`,
        )
      ).rows[0].n as number;
      let dataMs = 0;
      const floors: Record<string, number> = {};
      try {
        for (const id of ['activation', 'retention'] as const) {
          await runPlan({ config: one(id), source, at: AT }); // warm-up: JIT, template cache
          let floorMs = Infinity;
          let planMs = Infinity;
          let bareMs = Infinity;
          let report: Awaited<ReturnType<typeof runPlan>> | undefined;
          for (let round = 0; round < 3; round++) {
            floorMs = Math.min(floorMs, (await time(() => client.query(floorQuery[id])))[1]);
            const [r, ms] = await time(() => runPlan({ config: one(id), source, at: AT }));
            report = r;
            planMs = Math.min(planMs, ms);
            bareMs = Math.min(bareMs, (await time(() => runPlan({ config: one(id), source, at: AT, render: false })))[1]);
          }
          const emails = report!.totals.emails;
          if (id === 'activation') dataMs = bareMs;
          floors[id] = floorMs;
          console.log(
            `  ${id.padEnd(10)} ${emails.toLocaleString('en-US')} emails of ${report!.totals.events.toLocaleString('en-US')} events (${report!.totals.waiting.toLocaleString('en-US')} waiting); floor (set-based SQL) ${fmt(floorMs)}`,
          );
          console.log(
            `    plan, bodies rendered:    ${fmt(planMs)} → ${(planMs / floorMs).toFixed(2)}× the floor, ${Math.round(emails / (planMs / 1000)).toLocaleString('en-US')} emails/s`,
          );
          console.log(
            `    plan, without bodies:     ${fmt(bareMs)} → ${(bareMs / floorMs).toFixed(2)}× the floor, ${Math.round(emails / (bareMs / 1000)).toLocaleString('en-US')} emails/s (target ≤ 2×)`,
          );
          if (id === 'activation' && emails !== expected) console.log(`  !! plan found ${emails} emails, the set-based query ${expected}`);
        }
      } finally {
        await client.end();
      }

      // The same retention loop with the React Email template (the Hasura example's): compiled and
      // filled (react-compile.ts, react-fill.ts); a render thread runs the template's code per
      // email, and starts with every plan, as in any plan. The first run also compiles the
      // template (esbuild, TypeScript's parser): shown, then the best of 3 as for the loops above.
      {
        const retention = config.loops.find((l) => l.id === 'retention')!;
        const reactLoop: LoadedConfig = {
          ...config,
          loops: [
            { ...retention, id: 'retention-react', steps: retention.steps.map((s) => ({ ...s, action: { ...s.action, template: 're_engagement_react' } })) },
          ],
        };
        const [first, firstMs] = await time(() => runPlan({ config: reactLoop, source, at: AT }));
        let ms = Infinity;
        for (let round = 0; round < 3; round++) ms = Math.min(ms, (await time(() => runPlan({ config: reactLoop, source, at: AT })))[1]);
        const floorMs = floors.retention!;
        const emails = first.totals.emails;
        console.log(
          `  retention, React Email template: ${emails.toLocaleString('en-US')} emails in ${fmt(ms)} → ${(ms / floorMs).toFixed(1)}× the floor, ` +
            `${Math.round(emails / (ms / 1000)).toLocaleString('en-US')} emails/s (filled where the template is compiled, React renders the rest); ` +
            `the first run, compiling the template: ${fmt(firstMs)} → ${(firstMs / floorMs).toFixed(1)}×`,
        );
      }

      // The one-query-per-row baseline: the condition once per user, in one read-only transaction.
      const [, perRowMs] = await time(() =>
        admin(async (c) => {
          await c.query('BEGIN READ ONLY');
          for (let id = 1; id <= USERS; id++) await c.query({ text: ACTIVATION_QUERY, values: [id] });
          await c.query('ROLLBACK');
        }, url),
      );
      console.log(
        `  one query per row (${USERS.toLocaleString('en-US')} round trips): ${fmt(perRowMs)} for the conditions alone → the batched plan (without bodies) is ${(perRowMs / dataMs).toFixed(1)}× faster`,
      );
    } finally {
      await source.close();
    }
  } finally {
    rmSync(config.dir, { recursive: true, force: true });
    await dropDatabase(DB);
  }

  // PGlite cold start, each in a fresh process, as `skene plan` runs it: the built package
  // (npm run bench builds first), starting the embedded database from the cached data directory.
  const core = new URL('../packages/core/dist/sources/index.js', import.meta.url).href;
  const probe = `const t0 = performance.now(); const { openSource } = await import(${JSON.stringify(core)}); const t1 = performance.now(); const s = await openSource({}); const t2 = performance.now(); await s.close(); console.log(JSON.stringify({ total: t2 - t0, start: t2 - t1 }));`;
  const startOnce = (): { total: number; start: number } =>
    JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' }).trim().split('\n').pop()!);
  // The first process after an install writes the snapshot (initdb) and reads PGlite's files from
  // disk: shown, not counted in the cold start.
  const first = startOnce();
  const samples: { total: number; start: number }[] = [];
  for (let i = 0; i < 7; i++) samples.push(startOnce());
  const totals = samples.map((s) => s.total);
  const starts = samples.map((s) => s.start);
  console.log(
    `  machine load while measuring: ${(await import('node:os')).loadavg()[0].toFixed(1)} (1-min average) on ${(await import('node:os')).cpus().length} CPUs`,
  );
  console.log(
    `  PGlite cold start (new process, from ${snapshotPath().replace(/^.*node_modules/, 'node_modules')}): median ${fmt(percentile(totals, 50))} ` +
      `(import ${fmt(percentile(totals, 50) - percentile(starts, 50))}, database ready ${fmt(percentile(starts, 50))}), worst ${fmt(Math.max(...totals))} of ${totals.length} (target ≤ 1 s); ` +
      `the first process before them ${fmt(first.total)}`,
  );
}
