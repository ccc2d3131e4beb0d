/**
 * Golden Markdown: for every example in examples/, the job summary and the comment the built
 * action writes, compared byte for byte with action/test/golden/<case>.{summary,comment}.md.
 * The clock is pinned (`at`), recipients are masked, and each case gets a fresh API double, so
 * the files only change when the plan or its rendering does. These files are what a reviewer
 * reads: review their diffs. Regenerate with UPDATE_GOLDEN=1.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { serviceOrSkip } from '../../test/helpers/services.js';
import { BOT, GitHubDouble } from './github-double.js';
import { pullRequestEvent, Runner, ROOT } from './harness.js';

const GOLDEN = join(ROOT, 'action', 'test', 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const AT = '2026-03-02T09:00:00Z';

interface Case {
  name: string;
  example: string;
  config?: string;
  seed: string;
  /** A real database the case needs (prepared by `prepare`, which returns the URL). */
  service?: 'mysql' | 'redis';
  prepare?: (t: TestContext) => Promise<string | undefined>;
}

const CASES: Case[] = [
  { name: 'hasura', example: 'hasura', seed: 'seed/postgres' },
  { name: 'nestjs-postgres-stripe', example: 'nestjs-postgres-stripe', seed: 'seed/postgres' },
  { name: 'nextjs-upstash-clerk', example: 'nextjs-upstash-clerk', seed: 'seed/postgres' },
  { name: 'upstash', example: 'upstash', seed: 'seed/postgres' },
  { name: 'tidb', example: 'tidb', seed: 'seed/mysql', service: 'mysql', prepare: freshMysqlDatabase },
  { name: 'upstash-redis', example: 'upstash', config: 'skene.redis.config.ts', seed: 'seed/redis', service: 'redis', prepare: freshRedisDatabase },
];

function compareGolden(file: string, actual: string) {
  const path = join(GOLDEN, file);
  if (UPDATE || !existsSync(path)) {
    if (!UPDATE) assert.fail(`missing golden ${file}: run with UPDATE_GOLDEN=1 to write it, then review it`);
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  const expected = readFileSync(path, 'utf8');
  if (actual !== expected) {
    writeFileSync(`${path}.actual`, actual);
    assert.equal(actual, expected, `${file} differs from the golden (written beside it as ${file}.actual); if the change is intended, UPDATE_GOLDEN=1`);
  }
}

describe('action: golden job summary and comment for every example', () => {
  for (const c of CASES) {
    test(c.name, async (t) => {
      let url: string | undefined;
      if (c.prepare) {
        url = await c.prepare(t);
        if (!url) return; // skipped: the service is not reachable here
      }
      const github = await new GitHubDouble().start();
      const runner = new Runner();
      try {
        runner.copyExample(c.example, 'app');
        const run = await runner.run({
          inputs: {
            'working-directory': 'app',
            ...(c.config ? { config: c.config } : {}),
            seed: c.seed,
            at: AT,
            'github-token': 'ghs_installation_token',
            ...(url ? { 'database-url': url } : {}),
          },
          event: pullRequestEvent(),
          apiUrl: github.url,
          env: { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' },
        });
        assert.equal(run.status, 0, `the step failed: ${run.failure}\n${run.stdout}\n${run.stderr}`);
        const comments = github.commentsOn(42).filter((x) => x.user.login === BOT.login);
        assert.equal(comments.length, 1);
        // Masked recipients everywhere a reviewer reads.
        for (const text of [run.summary, comments[0]!.body]) assert.doesNotMatch(text, /\b[a-z0-9._%+-]{2,}@example\.com/i);
        assert.ok(Number(run.outputs.emails) > 0, 'every example sends at least one email');
        // The HTML report beside the JSON one, masked too.
        assert.equal(run.outputs['html-report'], run.outputs.report!.replace(/\.json$/, '.html'));
        const page = readFileSync(run.outputs['html-report']!, 'utf8');
        assert.ok(page.startsWith('<!DOCTYPE html>'));
        const json = JSON.parse(readFileSync(run.outputs.report!, 'utf8')) as { loops: { steps: { emails: unknown[] }[] }[] };
        const framed = json.loops.flatMap((l) => l.steps).reduce((n, st) => n + Math.min(st.emails.length, 10), 0);
        assert.equal([...page.matchAll(/<iframe sandbox="" /g)].length, framed * 2, 'each email (up to 10 a step) at two widths');
        assert.doesNotMatch(page, /\b[a-z0-9._%+-]{2,}@example\.com/i);
        compareGolden(`${c.name}.summary.md`, run.summary);
        compareGolden(`${c.name}.comment.md`, comments[0]!.body);
        t.diagnostic(`${c.name}: ${run.outputs.emails} emails, action wall time ${(run.wallMs / 1000).toFixed(1)} s`);
      } finally {
        runner.cleanup();
        await github.stop();
      }
    });
  }
});

/** A fixed-name database (its name is in the golden), dropped and created fresh. The action seeds a scratch database beside it, never this one. */
async function freshMysqlDatabase(t: TestContext): Promise<string | undefined> {
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return undefined;
  const mysql = await import('mysql2/promise');
  const admin = await mysql.createConnection(server);
  try {
    await admin.query('DROP DATABASE IF EXISTS skene_action_golden');
    await admin.query('CREATE DATABASE skene_action_golden CHARACTER SET utf8mb4');
  } finally {
    await admin.end();
  }
  return server.replace(/\/[^/]*$/, '/skene_action_golden');
}

/** Redis database 11, emptied: the URL's database. The action seeds the example's hashes and sets in a scratch logical database, never this one. */
async function freshRedisDatabase(t: TestContext): Promise<string | undefined> {
  const server = await serviceOrSkip(t, 'redis');
  if (!server) return undefined;
  await redisCommands(['SELECT', '11'], ['FLUSHDB']);
  return `${server.replace(/\/\d*$/, '')}/11`;
}

function redisCommands(...commands: string[][]): Promise<void> {
  const wire = commands.map((c) => `*${c.length}\r\n${c.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`).join('');
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let replies = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      replies += d;
      const lines = replies.split('\r\n').filter(Boolean);
      if (lines.some((l) => l.startsWith('-'))) {
        socket.destroy();
        reject(new Error(`redis: ${replies}`));
      } else if (lines.length >= commands.length) {
        socket.end();
        resolve();
      }
    });
    socket.on('error', reject);
    socket.connect(6379, '127.0.0.1', () => socket.write(wire));
  });
}

describe("action: GitHub's size limits", () => {
  test('a plan of 2,000 emails: the summary stays under 1 MiB and the comment under 65,536 characters, and both say what they cut', async (t) => {
    const github = await new GitHubDouble().start();
    const runner = new Runner();
    try {
      runner.copyExample('hasura', 'app');
      // 2,000 more idle users (≈ 2 MB of rendered emails).
      runner.write(
        'app/seed/postgres/003_many.sql',
        `INSERT INTO users (id, email, name, activation_link, last_activity_at, re_engagement_sent, created_at)
SELECT ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'user' || n || '@example.com', 'User ' || n,
       'https://app.example.com/activate/u' || n, '2026-01-01T00:00:00Z', false, '2025-06-01T00:00:00Z'
FROM generate_series(1, 2000) AS n;
`,
      );
      const run = await runner.run({
        inputs: { 'working-directory': 'app', seed: 'seed/postgres', at: AT, 'github-token': 'ghs_installation_token' },
        event: pullRequestEvent(),
        apiUrl: github.url,
        env: { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' },
      });
      assert.equal(run.status, 0, `${run.failure}\n${run.stdout}`);
      assert.equal(run.outputs.emails, '2003');
      const summaryBytes = Buffer.byteLength(run.summary, 'utf8');
      assert.ok(summaryBytes <= 1024 * 1024, `summary is ${summaryBytes} bytes`);
      assert.ok(summaryBytes > 512 * 1024, 'the summary uses the room it has');
      assert.match(run.summary, /Showing \d+ of 2003 emails/);
      assert.match(run.summary, /\| \*\*all\*\* \| \| 1 \| 2003 \| \*\*2003\*\* \|/, 'the per-loop table is complete');
      const comment = github.commentsOn(42)[0]!.body;
      assert.ok(comment.length <= 65_536, `comment is ${comment.length} characters`);
      assert.match(comment, /Showing \d+ of 2003 emails/);
      assert.match(comment, /<sub>Skene plan of `app\/skene\.config\.ts`/, 'the footer survives the cut');
      const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8')) as { totals: { emails: number } };
      assert.equal(report.totals.emails, 2003, 'the JSON report has every email');
      // The HTML report stays a page a browser opens: frames for the first emails of each step, then rows, then a count.
      const page = readFileSync(run.outputs['html-report']!, 'utf8');
      assert.equal([...page.matchAll(/<iframe sandbox="" /g)].length, 10 * 2);
      assert.match(page, /… and 1,?903 more emails of this step not shown here/);
      t.diagnostic(`HTML report: ${Buffer.byteLength(page, 'utf8')} bytes`);
      t.diagnostic(`2,003 emails: summary ${summaryBytes} bytes, comment ${comment.length} characters, wall ${(run.wallMs / 1000).toFixed(1)} s`);
    } finally {
      runner.cleanup();
      await github.stop();
    }
  });
});
