/**
 * A push that breaks the config must not leave the previous plan in the sticky comment, where a
 * reviewer would read it as this commit's: the same comment is replaced by the check's errors
 * (their first lines, as annotated) and says no plan was made. Fixing the config brings the plan
 * back into the same comment. The comment body is golden (action/test/golden/check-failed.comment.md).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOT, GitHubDouble } from './github-double.js';
import { pullRequestEvent, ROOT, Runner } from './harness.js';

const AT = '2026-03-02T09:00:00Z';
const ENV = { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' };
const GOLDEN = join(ROOT, 'action', 'test', 'golden', 'check-failed.comment.md');
const MARKER_LINES = '<!-- skene-plan -->\n<!-- skene-plan-config: app/skene.config.ts -->\n';

describe('action: a config that fails skene check replaces the plan in the sticky comment', () => {
  let github: GitHubDouble;
  before(async () => {
    github = await new GitHubDouble().start();
  });
  after(async () => {
    await github.stop();
  });

  test('plan → broken config → fixed config: one comment, always about the current commit', async () => {
    const runner = new Runner();
    try {
      runner.copyExample('hasura', 'app');
      const good = runner.read('app/skene.config.ts');
      const inputs = { 'working-directory': 'app', seed: 'seed/postgres', at: AT, 'github-token': 'ghs_installation_token' };
      const mine = () => github.commentsOn(12).filter((c) => c.user.login === BOT.login);

      const planned = await runner.run({ inputs, event: pullRequestEvent({ number: 12 }), apiUrl: github.url, env: ENV });
      assert.equal(planned.status, 0, `${planned.failure}\n${planned.stdout}`);
      assert.equal(mine().length, 1);
      const id = mine()[0]!.id;
      const planBody = mine()[0]!.body;
      assert.match(planBody, /would be sent/);

      // The next push breaks the config: two errors the check annotates.
      runner.write('app/skene.config.ts', good.replace("type: 'retention'", "type: 'retension'").replace("'0 9 * * *'", "'0 9 * *'"));
      github.clearRequests();
      const broken = await runner.run({
        inputs,
        event: pullRequestEvent({ number: 12, headSha: 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0' }),
        apiUrl: github.url,
        env: ENV,
      });
      assert.equal(broken.status, 1, broken.stdout);
      assert.match(broken.failure ?? '', /has 2 errors/);
      assert.deepEqual(
        github.writes().map((w) => `${w.method} ${w.path}`),
        [`PATCH /repos/acme/app/issues/comments/${id}`],
        'the same comment, updated',
      );
      assert.equal(mine().length, 1);
      const body = mine()[0]!.body;
      assert.ok(body.startsWith(MARKER_LINES), body);
      assert.doesNotMatch(body, /would be sent|re-engagement/, 'nothing of the old plan is left');
      // Each error's first line, as annotated (file:line:column code: message).
      const annotations = broken.annotations.filter((a) => a.command === 'error');
      assert.equal(annotations.length, 2);
      for (const a of annotations) {
        const firstLine = a.message.split('\n')[0]!;
        assert.ok(body.includes(`${a.properties.file}:${a.properties.line}:${a.properties.col} ${firstLine}`), `${firstLine} in:\n${body}`);
      }
      assert.match(body, /at commit `b0b0b0b`/);
      assert.equal(broken.outputs['comment-id'], String(id));
      assert.match(broken.summary, /\*\*Pull-request comment:\*\* Updated the plan comment on #12/);
      compareGolden(body.slice(MARKER_LINES.length));

      // A rerun of the same broken commit: the comment already says so, and is not rewritten.
      github.clearRequests();
      const rerun = await runner.run({
        inputs,
        event: pullRequestEvent({ number: 12, headSha: 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0' }),
        apiUrl: github.url,
        env: ENV,
      });
      assert.equal(rerun.status, 1);
      assert.deepEqual(github.writes(), []);

      // Fixed: the plan is back, in the same comment.
      runner.write('app/skene.config.ts', good);
      github.clearRequests();
      const fixed = await runner.run({ inputs, event: pullRequestEvent({ number: 12 }), apiUrl: github.url, env: ENV });
      assert.equal(fixed.status, 0, `${fixed.failure}\n${fixed.stdout}`);
      assert.equal(mine().length, 1);
      assert.equal(mine()[0]!.id, id);
      assert.equal(mine()[0]!.body, planBody);
    } finally {
      runner.cleanup();
    }
  });

  test('comment: off writes nothing for a broken config either', async () => {
    const runner = new Runner();
    try {
      runner.copyExample('hasura', 'app');
      runner.write('app/skene.config.ts', runner.read('app/skene.config.ts').replace("type: 'retention'", "type: 'retension'"));
      github.clearRequests();
      const run = await runner.run({
        inputs: { 'working-directory': 'app', at: AT, comment: 'off' },
        event: pullRequestEvent({ number: 13 }),
        apiUrl: github.url,
        env: ENV,
      });
      assert.equal(run.status, 1);
      assert.deepEqual(github.writes(), []);
      assert.equal(run.outputs['comment-id'], '');
    } finally {
      runner.cleanup();
    }
  });
});

function compareGolden(actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(GOLDEN)) {
    if (process.env.UPDATE_GOLDEN !== '1') assert.fail('missing golden check-failed.comment.md: run with UPDATE_GOLDEN=1 to write it, then review it');
    writeFileSync(GOLDEN, actual);
    return;
  }
  assert.equal(actual, readFileSync(GOLDEN, 'utf8'), 'check-failed.comment.md differs; if the change is intended, UPDATE_GOLDEN=1');
}
