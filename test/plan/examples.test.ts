/**
 * Every example in examples/ planned at a pinned instant, on every data source it supports,
 * equals its reviewed golden report (test/plan/golden/<example>.<source>.json). The report is
 * the JSON `skene plan --format json` prints, with the one part that differs per run — the
 * throwaway database's URL — replaced by the source kind.
 *
 * To review a change: SKENE_UPDATE_GOLDEN=1 node scripts/run-tests.mjs test/plan/examples, then
 * read the diff of test/plan/golden/.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serviceOrSkip } from '../helpers/services.js';
import { tempMysqlDatabase, tempPostgresDatabase } from '../../packages/core/test/plan/helpers.js';
import { collectSeedFiles, loadConfig, maskRecipients, openSource, renderJson, runPlan, type PlanReport } from '@skene/core';
import { startUpstashDouble } from './upstash-double.js';

const root = new URL('../..', import.meta.url).pathname;
const goldenDir = join(root, 'test/plan/golden');
const AT = new Date('2026-03-02T09:00:00Z');
const ENV = { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' };
const update = process.env.SKENE_UPDATE_GOLDEN === '1';

type SourceName = 'pglite' | 'postgres' | 'mariadb' | 'redis' | 'upstash';
const EXAMPLES: { name: string; sources: SourceName[] }[] = [
  { name: 'upstash', sources: ['pglite', 'postgres', 'redis', 'upstash'] },
  { name: 'nextjs-upstash-clerk', sources: ['pglite', 'postgres', 'redis', 'upstash'] },
  { name: 'hasura', sources: ['pglite', 'postgres'] },
  { name: 'tidb', sources: ['mariadb'] },
  { name: 'nestjs-postgres-stripe', sources: ['pglite', 'postgres'] },
];

async function plan(t: TestContext, example: string, source: SourceName): Promise<string | undefined> {
  const redisLike = source === 'redis' || source === 'upstash';
  const configFile = join(root, 'examples', example, redisLike ? 'skene.redis.config.ts' : 'skene.config.ts');
  const seed = `examples/${example}/seed`;
  let url: string | undefined;
  let token: string | undefined;
  const keyPrefix = `skene-examples-${process.pid}-${example}-${source}:`;
  if (source === 'postgres') {
    const server = await serviceOrSkip(t, 'postgres');
    if (!server) return undefined;
    url = await tempPostgresDatabase(t, server, 'skene_examples');
  } else if (source === 'mariadb') {
    const server = await serviceOrSkip(t, 'mysql');
    if (!server) return undefined;
    url = await tempMysqlDatabase(t, server, 'skene_examples');
  } else if (redisLike) {
    const server = await serviceOrSkip(t, 'redis');
    if (!server) return undefined;
    url = server;
    if (source === 'upstash') {
      const double = await startUpstashDouble(server);
      t.after(() => double.close());
      url = double.url;
      token = double.token;
    }
    t.after(() => deleteKeys(server, keyPrefix));
  }
  let seeds = [seed];
  if (source === 'upstash') {
    // An Upstash URL names its one database, which a plan never seeds: seed the Redis behind the
    // double directly (as a user seeds a throwaway Upstash database), then plan without seeds.
    const direct = await openSource({ url: (await serviceOrSkip(t, 'redis'))!, keyPrefix });
    await direct.seed(await collectSeedFiles([seed], 'upstash', root));
    await direct.close();
    seeds = [];
  }
  // With a URL, the seed runs in a scratch database on that server (dropped by close()).
  const opened = await openSource({ url, token, seeds, cwd: root, keyPrefix });
  try {
    const config = await loadConfig(configFile);
    const report = await runPlan({ config, source: opened, at: AT, seeds: [seed], cwd: root, env: ENV });
    const stable: PlanReport = { ...maskRecipients(report), source: { ...report.source, label: `<${source}>` } };
    return renderJson(stable);
  } finally {
    await opened.close();
  }
}

async function deleteKeys(url: string, prefix: string) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
}

for (const { name, sources } of EXAMPLES) {
  for (const source of sources) {
    test(`examples/${name} on ${source} equals golden/${name}.${source}.json`, async (t) => {
      const json = await plan(t, name, source);
      if (json === undefined) return;
      const file = join(goldenDir, `${name}.${source}.json`);
      if (update || !existsSync(file)) {
        if (!update) assert.fail(`no golden ${file}: run with SKENE_UPDATE_GOLDEN=1 and review it`);
        writeFileSync(file, json);
      }
      assert.equal(json, readFileSync(file, 'utf8'));
      // Reruns at the same --at are byte-identical.
      if (source === 'pglite') assert.equal(await plan(t, name, source), json);
    });
  }
}

test('the same example plans the same on PGlite and on PostgreSQL (only the source differs)', () => {
  for (const { name, sources } of EXAMPLES) {
    if (!sources.includes('pglite') || !sources.includes('postgres')) continue;
    const read = (s: string) => {
      const file = join(goldenDir, `${name}.${s}.json`);
      if (!existsSync(file)) return undefined;
      const report = JSON.parse(readFileSync(file, 'utf8')) as PlanReport;
      return { ...report, source: null };
    };
    const a = read('pglite');
    const b = read('postgres');
    if (a && b) assert.deepEqual(a, b, name);
  }
});
