/**
 * The sticky comment, end to end: the built action against the GitHub API double.
 * One comment per pull request (and config), found by its hidden marker among the bot's own
 * comments on any page, updated in place (PATCH), and not written when the plan did not change.
 * A read-only token (fork pull requests) warns and passes; max-emails fails naming the loops.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BOT, GitHubDouble, HUMAN, OTHER_BOT } from './github-double.js';
import { pullRequestEvent, Runner, type ActionRun } from './harness.js';

const AT = '2026-03-02T09:00:00Z';
const ENV = { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' };
const MARKER = '<!-- skene-plan -->';

function inputs(extra: Record<string, string> = {}) {
  return { 'working-directory': 'app', seed: 'seed/postgres', at: AT, 'github-token': 'ghs_installation_token', ...extra };
}

function assertPassed(run: ActionRun) {
  assert.equal(run.status, 0, `the step failed: ${run.failure}\n${run.stdout}\n${run.stderr}`);
}

describe('action: the sticky pull-request comment', () => {
  let github: GitHubDouble;
  before(async () => {
    github = await new GitHubDouble().start();
  });
  after(async () => {
    await github.stop();
  });

  test('first run creates one comment; an unchanged plan writes nothing; a config change updates the same comment', async () => {
    const runner = new Runner();
    try {
      runner.copyExample('hasura', 'app');
      github.addComment(7, HUMAN, 'Looks good, but what does this send?');
      github.addComment(7, OTHER_BOT, `Coverage report\n${MARKER}`); // another bot quoting our marker is not ours
      const event = pullRequestEvent({ number: 7 });

      github.clearRequests();
      const first = await runner.run({ inputs: inputs(), event, apiUrl: github.url, env: ENV });
      assertPassed(first);
      const posts = github.requests.filter((r) => r.method === 'POST');
      assert.equal(posts.length, 1, 'one POST');
      assert.equal(posts[0]!.path, '/repos/acme/app/issues/7/comments');
      assert.equal(posts[0]!.token, 'ghs_installation_token');
      const mine = github.commentsOn(7).filter((c) => c.user.login === BOT.login);
      assert.equal(mine.length, 1);
      const comment = mine[0]!;
      const firstBody = comment.body;
      assert.ok(comment.body.startsWith(`${MARKER}\n<!-- skene-plan-config: app/skene.config.ts -->\n`));
      assert.match(comment.body, /## Skene plan: 3 emails would be sent/);
      assert.equal(first.outputs['comment-id'], String(comment.id));
      assert.equal(first.outputs.emails, '3');
      assert.match(first.summary, /Created the plan comment on #7/);

      // The same commit again (a rerun): the comment is read, not rewritten.
      github.clearRequests();
      const again = await runner.run({ inputs: inputs(), event, apiUrl: github.url, env: ENV });
      assertPassed(again);
      assert.deepEqual(github.writes(), [], 'no POST or PATCH when nothing changed');
      assert.ok(github.requests.some((r) => r.method === 'GET' && r.path === '/repos/acme/app/issues/7/comments'));
      assert.equal(again.outputs['comment-id'], String(comment.id));
      assert.match(again.summary, /is up to date; not rewritten/);

      // A change to the config: the same comment is updated in place.
      runner.write('app/skene.config.ts', runner.read('app/skene.config.ts').replace("INTERVAL '7 days'", "INTERVAL '30 days'"));
      github.clearRequests();
      const changed = await runner.run({ inputs: inputs(), event, apiUrl: github.url, env: ENV });
      assertPassed(changed);
      const writes = github.writes();
      assert.deepEqual(
        writes.map((w) => `${w.method} ${w.path}`),
        [`PATCH /repos/acme/app/issues/comments/${comment.id}`],
      );
      assert.equal(github.commentsOn(7).filter((c) => c.user.login === BOT.login).length, 1, 'still one comment');
      assert.notEqual(firstBody, (writes[0]!.body as { body: string }).body);
      assert.equal(github.commentsOn(7).find((c) => c.id === comment.id)!.body, (writes[0]!.body as { body: string }).body);
      assert.equal(changed.outputs['comment-id'], String(comment.id));
      assert.notEqual(changed.outputs.emails, '3');
    } finally {
      runner.cleanup();
    }
  });

  test("the bot's comment on page 2 of the comments is found and updated, not duplicated", async () => {
    const runner = new Runner();
    try {
      runner.copyExample('hasura', 'app');
      for (let i = 1; i <= 130; i++) github.addComment(8, i % 2 ? HUMAN : OTHER_BOT, `review comment ${i}`);
      const stale = github.addComment(8, BOT, `${MARKER}\n<!-- skene-plan-config: app/skene.config.ts -->\n## Skene plan: 99 emails would be sent\n`);
      github.addComment(8, HUMAN, 'one more after it');
      github.clearRequests();
      const run = await runner.run({ inputs: inputs(), event: pullRequestEvent({ number: 8 }), apiUrl: github.url, env: ENV });
      assertPassed(run);
      const lists = github.requests.filter((r) => r.method === 'GET' && r.path === '/repos/acme/app/issues/8/comments');
      assert.deepEqual(
        lists.map((r) => r.query.page ?? '1'),
        ['1', '2'],
        'every page, following Link: rel="next"',
      );
      assert.deepEqual(
        github.writes().map((w) => `${w.method} ${w.path}`),
        [`PATCH /repos/acme/app/issues/comments/${stale.id}`],
      );
      assert.equal(github.commentsOn(8).filter((c) => c.user.login === BOT.login).length, 1);
      assert.equal(run.outputs['comment-id'], String(stale.id));
    } finally {
      runner.cleanup();
    }
  });

  test('a personal access token finds its own comment by login (GET /user)', async () => {
    const runner = new Runner();
    try {
      runner.copyExample('hasura', 'app');
      // A bot comment with the marker from an earlier GITHUB_TOKEN run is not this user's to edit.
      github.addComment(9, BOT, `${MARKER}\n<!-- skene-plan-config: app/skene.config.ts -->\nold\n`);
      const own = github.addComment(9, HUMAN, `${MARKER}\n<!-- skene-plan-config: app/skene.config.ts -->\nold\n`);
      github.clearRequests();
      const run = await runner.run({
        inputs: inputs({ 'github-token': 'ghp_personal_token' }),
        event: pullRequestEvent({ number: 9 }),
        apiUrl: github.url,
        env: ENV,
      });
      assertPassed(run);
      assert.deepEqual(
        github.writes().map((w) => `${w.method} ${w.path}`),
        [`PATCH /repos/acme/app/issues/comments/${own.id}`],
      );
    } finally {
      runner.cleanup();
    }
  });

  test('a read-only token (fork pull request): the summary is written and the step passes with a warning', async () => {
    const runner = new Runner();
    try {
      runner.copyExample('hasura', 'app');
      github.clearRequests();
      const run = await runner.run({
        inputs: inputs({ 'github-token': 'ghs_read_only_token' }),
        event: pullRequestEvent({ number: 10 }),
        apiUrl: github.url,
        env: ENV,
      });
      assertPassed(run);
      assert.match(run.stdout, /^::warning::Could not write the plan comment on #10: the token is read-only \(403 Resource not accessible by integration\)/m);
      assert.deepEqual(
        github.writes().map((w) => `${w.method} ${w.status}`),
        ['POST 403'],
      );
      assert.equal(github.commentsOn(10).length, 0);
      assert.match(run.summary, /## Skene plan: 3 emails would be sent/);
      assert.match(run.summary, /the token is read-only/);
      assert.equal(run.outputs['comment-id'], '');
      assert.equal(run.outputs.emails, '3');
    } finally {
      runner.cleanup();
    }
  });

  test('GitHub failing (5xx): the summary still has the plan, and the step fails saying the comment was not written', async () => {
    const runner = new Runner();
    try {
      runner.copyExample('hasura', 'app');
      github.failWrites = 502;
      const run = await runner.run({ inputs: inputs(), event: pullRequestEvent({ number: 13 }), apiUrl: github.url, env: ENV });
      assert.equal(run.status, 1);
      assert.match(run.failure ?? '', /^could not write the comment on pull request #13: /);
      assert.match(run.summary, /## Skene plan: 3 emails would be sent/);
      assert.match(run.summary, /\*\*Pull-request comment:\*\* could not write the comment on pull request #13/);
      assert.equal(github.commentsOn(13).length, 0);
    } finally {
      github.failWrites = undefined;
      runner.cleanup();
    }
  });

  test('max-emails exceeded: the step fails naming the loops and their counts, after writing the summary and the comment', async () => {
    const runner = new Runner();
    try {
      runner.copyExample('nestjs-postgres-stripe', 'app');
      github.clearRequests();
      const run = await runner.run({ inputs: inputs({ 'max-emails': '2' }), event: pullRequestEvent({ number: 11 }), apiUrl: github.url, env: ENV });
      assert.equal(run.status, 1, run.stdout);
      const report = JSON.parse(run.outputs.report ? (await import('node:fs')).readFileSync(run.outputs.report, 'utf8') : '{}') as {
        totals: { emails: number };
        loops: { id: string; counts: { emails: number } }[];
      };
      assert.ok(report.totals.emails > 2);
      const named = report.loops.filter((l) => l.counts.emails > 0).map((l) => `${l.id}: ${l.counts.emails}`);
      assert.ok(named.length >= 2, 'the example has two loops that send');
      assert.equal(run.failure, `max-emails exceeded: the plan would send ${report.totals.emails} emails, more than the limit of 2 (${named.join(', ')}).`);
      assert.match(run.summary, /## Skene plan: \d+ emails would be sent/);
      assert.deepEqual(
        github.writes().map((w) => w.method),
        ['POST'],
      );
      assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .+:\d+:\d+\)?\n/);
    } finally {
      runner.cleanup();
    }
  });

  test('without `at`, the clock is the head commit time (from the API when the checkout has no git)', async () => {
    const runner = new Runner();
    try {
      runner.copyExample('hasura', 'app');
      const headSha = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';
      github.commits.set(headSha, '2026-03-02T09:00:00Z');
      const run = await runner.run({
        inputs: inputs({ at: '', comment: 'off' }),
        event: pullRequestEvent({ number: 12, headSha }),
        apiUrl: github.url,
        env: ENV,
      });
      assertPassed(run);
      assert.match(run.stdout, /Planning app\/skene\.config\.ts at 2026-03-02T09:00:00\.000Z \(head commit c0ffee0\)/);
      assert.equal(run.outputs.emails, '3');
      assert.ok(github.requests.some((r) => r.path === `/repos/acme/app/commits/${headSha}`));
      assert.equal(github.commentsOn(12).length, 0, 'comment: off');
    } finally {
      runner.cleanup();
    }
  });
});

describe('action: recipients and events without a pull request', () => {
  test('show-recipients: true shows the addresses; a push event writes the summary and no comment', async () => {
    const github = await new GitHubDouble().start();
    const runner = new Runner();
    try {
      runner.copyExample('hasura', 'app');
      const run = await runner.run({
        inputs: inputs({ 'show-recipients': 'true' }),
        event: { ref: 'refs/heads/main', head_commit: { id: 'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed', timestamp: '2026-03-02T09:00:00Z' } },
        eventName: 'push',
        apiUrl: github.url,
        env: ENV,
      });
      assertPassed(run);
      assert.match(run.summary, /noor\.rahman@example\.com/);
      assert.match(run.summary, /\*\*Recipients:\*\* shown/);
      assert.match(run.stdout, /Not a pull request event \(push\): no comment/);
      assert.deepEqual(github.requests, [], 'no API call at all');
      assert.equal(run.outputs['comment-id'], '');
    } finally {
      runner.cleanup();
      await github.stop();
    }
  });
});
