/**
 * The TiDB, Upstash and Next.js + Upstash + Clerk examples run from their README: the command
 * under "Run the loop", exactly as written (only its database swapped for a throwaway one, and
 * `npx skene` for the built CLI), sends — to the outbox, as without a Resend key — the same
 * emails, byte for byte, as the plan at the same clock lists.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';
import { ROOT, SKENE_BIN } from '../helpers/cli.js';
import { FIELDS, plannedEmails, skeneAsync, type EmailFields } from '../helpers/fidelity.js';
import { SOURCE_ENV } from '../helpers/run-sources.js';
import { serviceOrSkip } from '../helpers/services.js';
import { tempMysqlDatabase } from '../../packages/core/test/plan/helpers.js';
import { createRedisScratch } from '../../packages/core/src/sources/redis.js';
import { parseCommandFile } from '../../packages/core/src/sources/redis-commands.js';

/** The README's run command with the example's database URL replaced, `npx skene` as the built CLI. */
function readmeRun(dir: string, exampleUrl: string, url: string): string {
  // The script `.ci/run` reads the repository README's commands with.
  const read = spawnSync(process.execPath, [join(ROOT, 'scripts/readme-commands.mjs'), 'Run the loop', join(dir, 'README.md')], { encoding: 'utf8' });
  assert.equal(read.status, 0, read.stderr);
  const commands = read.stdout;
  assert.ok(commands.includes(exampleUrl), `the README runs against ${exampleUrl}`);
  assert.equal(commands.match(/npx skene run /g)?.length, 1, 'one command runs the loop');
  return commands.replaceAll(exampleUrl, url).replaceAll('npx skene ', `"${process.execPath}" "${SKENE_BIN}" `);
}

function shell(command: string, cwd: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', command], { cwd, env: { ...process.env, ...SOURCE_ENV, SKENE_EMAIL_FROM: '' }, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The emails in the outbox, each as the fields a recipient gets, sorted. */
function outboxEmails(dir: string): string[] {
  const outbox = join(dir, '.skene', 'outbox');
  assert.ok(existsSync(outbox), 'the run wrote to the outbox');
  return readdirSync(outbox)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(outbox, f), 'utf8')) as { email: EmailFields })
    .map(({ email }) => JSON.stringify(FIELDS.map((k) => email[k])))
    .sort();
}

const sortedFields = (emails: Map<string, EmailFields>) => [...emails.values()].map((e) => JSON.stringify(FIELDS.map((k) => e[k]))).sort();

async function planAndRun(t: TestContext, options: { example: string; config: string; exampleUrl: string; url: string; dir: string; emails: number }) {
  const env = { ...SOURCE_ENV, SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' };
  const plan = await skeneAsync(
    ['plan', '--config', options.config, '--database-url', options.url, '--at', '2026-03-02T09:00:00Z', '--show-recipients', '--format', 'json'],
    { cwd: options.dir, env },
  );
  assert.equal(plan.status, 0, plan.stderr);
  const planned = plannedEmails(plan.stdout);
  assert.equal(planned.emails.size, options.emails, "the README's expected plan");
  const run = await shell(readmeRun(options.dir, options.exampleUrl, options.url), options.dir);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`^run at 2026-03-02T09:00:00.000Z: ${options.emails} sent`, 'm'));
  assert.deepEqual(outboxEmails(options.dir), sortedFields(planned.emails), 'the outbox holds exactly the planned emails');
  t.diagnostic(`${options.example}: ${options.emails} emails, plan = run`);
}

function copyExample(t: TestContext, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `skene-readme-run-${name}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(ROOT, 'examples', name), dir, { recursive: true, filter: (src) => !src.includes('node_modules') });
  return dir;
}

test('examples/tidb runs from its README: the outbox holds what the plan at 09:00 lists', async (t) => {
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return;
  const dir = copyExample(t, 'tidb');
  const url = await tempMysqlDatabase(t, server, 'skene_readme_tidb');
  const conn = await mysql.createConnection({ uri: url, multipleStatements: true, charset: 'utf8mb4' });
  t.after(() => conn.end());
  const seed = join(dir, 'seed', 'mysql');
  for (const file of readdirSync(seed).sort()) await conn.query(readFileSync(join(seed, file), 'utf8'));
  await planAndRun(t, { example: 'tidb', config: 'skene.config.ts', exampleUrl: 'mysql://root@127.0.0.1:3306/skene_example_tidb', url, dir, emails: 3 });
});

for (const example of [
  { name: 'upstash', emails: 3 },
  { name: 'nextjs-upstash-clerk', emails: 3 },
]) {
  test(`examples/${example.name} runs from its README on Redis: the outbox holds what the plan lists`, async (t) => {
    const server = await serviceOrSkip(t, 'redis');
    if (!server) return;
    const dir = copyExample(t, example.name);
    const scratch = await createRedisScratch(server);
    t.after(() => scratch.drop());
    const redis = new Redis(scratch.url);
    t.after(() => redis.quit());
    const seed = join(dir, 'seed', 'redis', '001_users.redis');
    for (const command of parseCommandFile(readFileSync(seed, 'utf8'), seed)) await redis.call(command[0]!, ...command.slice(1));
    await planAndRun(t, { example: example.name, config: 'skene.redis.config.ts', exampleUrl: 'redis://127.0.0.1:6379/15', url: scratch.url, dir, emails: example.emails });
  });
}
