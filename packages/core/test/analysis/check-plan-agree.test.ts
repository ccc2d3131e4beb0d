/**
 * `skene check` and `skene plan` agree on table names: on the same config and seed
 * (fixtures/schema-qualified: crm.users, public.users, users, and an unknown crm.nope), a loop's
 * trigger table is SKN040 in check exactly when the plan, on the embedded PostgreSQL seeded from
 * that seed, cannot read it — and `{{user.*}}` is the same table's row in both.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyze, loadProjectContext, prepareAnalysis } from '../../src/analysis/index.ts';
import { runPlan } from '../../src/plan/engine.ts';
import { loadConfig } from '../../src/plan/load-config.ts';
import type { PlanReport } from '../../src/report/model.ts';
import { openSource, type DataSource } from '../../src/sources/index.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/schema-qualified/', import.meta.url));
const CONFIG = join(FIXTURE, 'skene.config.ts');
const AT = new Date('2026-11-21T09:00:00Z');

let source: DataSource;
let report: PlanReport;

before(async () => {
  await prepareAnalysis();
  source = await openSource({ seeds: [join(FIXTURE, 'seed')], cwd: FIXTURE });
  report = await runPlan({ config: await loadConfig(CONFIG), source, at: AT, cwd: FIXTURE, env: {} });
});
after(() => source?.close());

/** Loop id → the trigger table check calls unknown (SKN040 on the trigger's `table`). */
function checkUnknownTriggers(): Map<string, boolean> {
  const text = readFileSync(CONFIG, 'utf8');
  const diagnostics = analyze(text, { fileName: CONFIG, project: loadProjectContext(CONFIG) }).diagnostics;
  const out = new Map<string, boolean>();
  // Each loop's trigger is the first `table: '…'` after its `id: '…'`.
  for (const m of text.matchAll(/id: '([\w-]+)'[\s\S]*?table: ('[^']*')/g)) {
    const start = m.index! + m[0].length - m[2]!.length;
    out.set(
      m[1]!,
      diagnostics.some((d) => d.code === 'SKN040' && d.range.start === start),
    );
  }
  return out;
}

test('a trigger table is unknown to check exactly when the plan cannot read it', () => {
  const unknown = checkUnknownTriggers();
  assert.deepEqual([...unknown.keys()], ['crm-users', 'public-users', 'users', 'crm-nope']);
  for (const loop of report.loops) {
    const failed = loop.steps[0]!.errors.some((e) => /does not exist/.test(e.message));
    assert.equal(
      unknown.get(loop.id),
      failed,
      `${loop.id}: check ${unknown.get(loop.id) ? 'reports' : 'accepts'} the table, the plan ${failed ? 'fails' : 'reads it'}`,
    );
  }
  assert.equal(unknown.get('crm-nope'), true);
});

test('the plan reads the table check resolved: crm.users, public.users and users', () => {
  const email = (id: string) => report.loops.find((l) => l.id === id)!.steps[0]!.emails;
  // crm.users is a users table: its row is `user` ({{user.crm_score}} is a crm.users column, as check says).
  assert.deepEqual(
    email('crm-users').map((e) => [e.to, e.props]),
    [['ada@crm.example', { name: 'Ada', detail: '7' }]],
  );
  // public.users and users are the same table, not crm.users.
  assert.deepEqual(
    email('public-users').map((e) => [e.to, e.props]),
    [['bob@app.example', { name: 'Bob', detail: 'pro' }]],
  );
  assert.deepEqual(
    email('users').map((e) => [e.to, e.props]),
    [['bob@app.example', { name: 'Bob', detail: 'pro' }]],
  );
});

test('check finds no unknown column where the plan renders every value', () => {
  const text = readFileSync(CONFIG, 'utf8');
  const diagnostics = analyze(text, { fileName: CONFIG, project: loadProjectContext(CONFIG) }).diagnostics;
  assert.deepEqual(
    diagnostics.filter((d) => d.code === 'SKN041'),
    [],
  );
  for (const loop of report.loops)
    for (const e of loop.steps[0]!.emails)
      assert.deepEqual(
        e.problems.filter((p) => /missing|empty/i.test(p)),
        [],
        loop.id,
      );
});
