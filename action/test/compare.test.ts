/**
 * compare-base: the pull request's base config (`git show <base-sha>:<config>` in the checkout)
 * planned against the same seed, and the difference shown. Also: without `at`, the clock is the
 * head commit's time read from the checkout.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { GitHubDouble } from './github-double.js';
import { pullRequestEvent, Runner } from './harness.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com' },
  }).trim();
}

describe('action: compare-base', () => {
  let github: GitHubDouble;
  before(async () => {
    github = await new GitHubDouble().start();
  });
  after(async () => {
    await github.stop();
  });

  test("plans the base commit's config against the same seed and shows what the change adds and removes", async () => {
    const runner = new Runner();
    try {
      runner.copyExample('nestjs-postgres-stripe', 'app');
      const ws = runner.workspace;
      git(ws, 'init', '-q', '-b', 'main');
      git(ws, 'add', '.');
      execFileSync('git', ['commit', '-q', '-m', 'base'], {
        cwd: ws,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 'T',
          GIT_AUTHOR_EMAIL: 't@example.com',
          GIT_COMMITTER_NAME: 'T',
          GIT_COMMITTER_EMAIL: 't@example.com',
          GIT_COMMITTER_DATE: '2026-03-01T12:00:00Z',
          GIT_AUTHOR_DATE: '2026-03-01T12:00:00Z',
        },
      });
      const baseSha = git(ws, 'rev-parse', 'HEAD');
      // The change: re-engage after 14 days instead of 7 (fewer emails from that loop).
      runner.write(
        'app/skene.config.ts',
        runner.read('app/skene.config.ts').replace("last_activity_at < NOW() - INTERVAL '7 days'", "last_activity_at < NOW() - INTERVAL '14 days'"),
      );
      git(ws, 'add', '.');
      execFileSync('git', ['commit', '-q', '-m', 'head'], {
        cwd: ws,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 'T',
          GIT_AUTHOR_EMAIL: 't@example.com',
          GIT_COMMITTER_NAME: 'T',
          GIT_COMMITTER_EMAIL: 't@example.com',
          GIT_COMMITTER_DATE: '2026-03-02T09:00:00Z',
          GIT_AUTHOR_DATE: '2026-03-02T09:00:00Z',
        },
      });
      const headSha = git(ws, 'rev-parse', 'HEAD');

      const run = await runner.run({
        inputs: { 'working-directory': 'app', seed: 'seed/postgres', 'compare-base': 'true', comment: 'off' },
        event: pullRequestEvent({ number: 21, baseSha, headSha }),
        apiUrl: github.url,
        env: { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' },
      });
      assert.equal(run.status, 0, `${run.failure}\n${run.stdout}`);
      // The clock: the head commit's committer time, from the checkout.
      assert.match(run.stdout, new RegExp(`Planning app/skene\\.config\\.ts at 2026-03-02T09:00:00\\.000Z \\(head commit ${headSha.slice(0, 7)}\\)`));
      const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8')) as {
        comparison?: { base: string; added: string[]; removed: string[]; changed: unknown[]; unchanged: number };
      };
      assert.ok(report.comparison, 'the report has the comparison');
      assert.equal(report.comparison.base, `base ${baseSha.slice(0, 7)} (main)`);
      assert.ok(report.comparison.removed.length > 0, 'the stricter condition removes emails');
      assert.ok(report.comparison.removed.every((id) => id.startsWith('re-engagement/')));
      assert.deepEqual(report.comparison.added, []);
      assert.ok(report.comparison.unchanged > 0, 'session-drop is unchanged');
      assert.match(
        run.summary,
        new RegExp(`\\*\\*Compared with \`base ${baseSha.slice(0, 7)} \\(main\\)\`:\\*\\* 0 added, ${report.comparison.removed.length} removed`),
      );
      // The base config was written beside the head's and removed.
      assert.deepEqual(git(ws, 'status', '--porcelain'), '');
    } finally {
      runner.cleanup();
    }
  });

  test('a base commit missing from the checkout (shallow clone): a warning, and the plan without comparison', async () => {
    const runner = new Runner();
    try {
      runner.copyExample('hasura', 'app');
      git(runner.workspace, 'init', '-q', '-b', 'main');
      const run = await runner.run({
        inputs: { 'working-directory': 'app', seed: 'seed/postgres', 'compare-base': 'true', comment: 'off', at: '2026-03-02T09:00:00Z' },
        event: pullRequestEvent({ number: 22, baseSha: 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef' }),
        apiUrl: github.url,
        env: { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' },
      });
      assert.equal(run.status, 0, `${run.failure}\n${run.stdout}`);
      assert.match(run.stdout, /^::warning::the base commit deadbee is not in the checkout; use actions\/checkout with `fetch-depth: 0`/m);
      assert.match(run.summary, /## Skene plan: 3 emails would be sent/);
      assert.doesNotMatch(run.summary, /Compared with/);
    } finally {
      runner.cleanup();
    }
  });
});
