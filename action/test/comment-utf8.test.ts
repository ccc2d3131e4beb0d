/**
 * The sticky comment's "unchanged → no write" path, from source (action/src/comment.ts), against
 * the GitHub API double, which stores bodies as UTF-8 bytes as GitHub does: a plan whose subject
 * was cut inside an emoji (a lone surrogate) is written once, then left alone.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as github from '@actions/github';
import { GitHubDouble } from './github-double.js';
import { upsertComment } from '../src/comment.js';

let double: GitHubDouble;
before(async () => {
  double = await new GitHubDouble().start();
});
after(async () => {
  await double.stop();
});

test('a body with a lone surrogate is written once; the next identical run writes nothing', async () => {
  const octokit = github.getOctokit('ghs_installation_token', { baseUrl: double.url });
  const target = { owner: 'acme', repo: 'app', issueNumber: 77, key: 'app/skene.config.ts' };
  const cut = 'Welcome 👋 aboard'.slice(0, 9); // "Welcome " + a lone high surrogate
  const markdown = `## Skene plan: 1 email would be sent\n\n<details><summary>✉️ n***@example.com — ${cut}</summary>\n`;

  const first = await upsertComment(octokit, target, markdown);
  assert.equal(first.action, 'created');
  const stored = double.commentsOn(77)[0]!.body;
  assert.ok(isWellFormed(stored), 'well-formed');
  assert.ok(stored.includes('Welcome \ufffd</summary>'));

  double.clearRequests();
  const again = await upsertComment(octokit, target, markdown);
  assert.equal(again.action, 'unchanged');
  assert.deepEqual(double.writes(), [], 'no PATCH for the same plan');
});

/** No lone surrogate (what String.prototype.isWellFormed says, on any lib target). */
function isWellFormed(text: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}
