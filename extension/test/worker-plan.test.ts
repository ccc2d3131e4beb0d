/**
 * Plan Loops in the editor is core's `planProject`, not a copy of it: the same report (here,
 * turned into the webview's model), the same checks before anything connects (the dialect the
 * extension sends, the URL's scheme), the same warnings about the source, and no secret in an error.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { planProject } from '@skene/core';
import { serviceOrSkip } from '../../test/helpers/services.js';
import { runPlanRequest, toPlanResult } from '../src/worker-plan.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const AT = '2026-03-02T09:00:00Z';
const FROM = 'Acme <hello@acme.example>';

describe('the worker plans with core planProject', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'skene-worker-plan-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const project = join(tmp, 'hasura');
  cpSync(join(REPO, 'examples/hasura'), project, { recursive: true });
  const request = { kind: 'plan' as const, cwd: project, config: join(project, 'skene.config.ts'), seeds: [join(project, 'seed/postgres')], at: AT };
  const saved = { DATABASE_URL: process.env.DATABASE_URL, SKENE_EMAIL_FROM: process.env.SKENE_EMAIL_FROM };
  process.env.DATABASE_URL = '';
  process.env.SKENE_EMAIL_FROM = FROM;
  after(() => Object.assign(process.env, saved));

  it("the dialect the extension sends must be the database's: mysql against the embedded PostgreSQL fails before planning", async () => {
    await assert.rejects(
      runPlanRequest({ ...request, dialect: 'mysql' }),
      /the dialect is mysql, but the plan's database, embedded PostgreSQL \(PGlite\), speaks postgres/,
    );
    await assert.rejects(runPlanRequest({ ...request, dialect: 'oracle' }), /skene\.dialect must be auto, postgres, mysql, redis; not "oracle"/);
  });

  it('an unsupported URL scheme is refused, without its password', async () => {
    const error = await runPlanRequest({ ...request, databaseUrl: 'ftp://planner:hunter2-secret@db.example/app' }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(error, 'the plan was refused');
    assert.match(error.message, /unsupported database URL/);
    assert.doesNotMatch(error.message, /hunter2-secret/);
  });

  it('the same plan as core: the report of planProject, recipients shown, in the webview model', async () => {
    const result = await runPlanRequest({ ...request, dialect: 'postgres' });
    const { report } = await planProject({
      configFile: request.config,
      at: new Date(AT),
      seeds: ['seed/postgres'],
      cwd: project,
      env: process.env,
      showRecipients: true,
    });
    assert.deepEqual(result, toPlanResult(report));
    assert.ok(result.count > 0);
    assert.ok(
      result.loops[0]!.steps[0]!.emails.every((e) => !e.to.includes('***')),
      'recipients are shown in the editor',
    );
  });

  it('no skene.seed: the seed beside the config, as check and completion read it; a bad skene.planAt names the setting', async () => {
    const result = await runPlanRequest({ ...request, seeds: [] });
    assert.match(result.source, /seeded from seed$/);
    assert.ok(result.count > 0, 'the example plans emails from its own seed');
    assert.equal(result.pinned, true);
    await assert.rejects(
      runPlanRequest({ ...request, at: '2026-02-30T09:00:00Z' }),
      /skene\.planAt is not an ISO 8601 time: 2026-02-30T09:00:00Z \(run "Skene: Set Plan Clock"/,
    );
  });

  it("a database URL with seeds: a scratch database, and the source's warnings reach the panel", async (t) => {
    const server = await serviceOrSkip(t, 'postgres');
    if (!server) return;
    const result = await runPlanRequest({ ...request, databaseUrl: server, dialect: 'postgres' });
    assert.match(result.source, /^a scratch database on postgres:\/\/postgres@127\.0\.0\.1:5432 .*seeded from seed\/postgres$/);
    assert.ok(
      result.errors.some((w) => w.startsWith('connected as role postgres, a superuser')),
      JSON.stringify(result.errors),
    );
  });
});
