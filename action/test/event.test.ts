/**
 * The event file (GITHUB_EVENT_PATH) is the runner's, but a broken one must not crash the action
 * with a stack trace at import (`@actions/github` parses it when loaded): the step fails with a
 * message that names the file and what is wrong with it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvent, readEventPayload } from '../src/event.js';
import { ActionError } from '../src/errors.js';
import { GitHubDouble } from './github-double.js';
import { pullRequestEvent, Runner } from './harness.js';

const BROKEN: { name: string; text: string; says: RegExp }[] = [
  { name: 'garbage', text: '{"pull_request": {"number": 4', says: /is not JSON \(/ },
  { name: 'null', text: 'null\n', says: /holds null, not an event payload/ },
  { name: 'an array', text: '[1, 2]', says: /holds an array, not an event payload/ },
];

describe('action: reading the event file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-action-event-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const c of BROKEN) {
    test(`${c.name}: an ActionError naming the file`, () => {
      const file = join(dir, `${c.name.replace(/\W+/g, '-')}.json`);
      writeFileSync(file, c.text);
      assert.throws(
        () => readEvent({ GITHUB_EVENT_PATH: file }),
        (error: unknown) => {
          assert.ok(error instanceof ActionError, String(error));
          assert.ok(error.message.includes(`the event file ${file} (GITHUB_EVENT_PATH)`), error.message);
          assert.match(error.message, c.says);
          return true;
        },
      );
    });
  }

  test('a file that is not there: an ActionError, not a silent empty payload', () => {
    assert.throws(() => readEventPayload(join(dir, 'missing.json')), /could not read the event file .*missing\.json \(GITHUB_EVENT_PATH\)/);
  });

  test('no event file (outside Actions): an empty payload; a real one is read', () => {
    assert.deepEqual(readEventPayload(undefined), {});
    const file = join(dir, 'pr.json');
    writeFileSync(file, JSON.stringify(pullRequestEvent({ number: 9 })));
    const event = readEvent({ GITHUB_EVENT_PATH: file, GITHUB_REPOSITORY: 'acme/app', GITHUB_EVENT_NAME: 'pull_request' });
    assert.equal(event.pullRequest?.number, 9);
    assert.equal(event.owner, 'acme');
  });
});

describe('action (built): a broken event file fails the step with a message', () => {
  let github: GitHubDouble;
  before(async () => {
    github = await new GitHubDouble().start();
  });
  after(async () => {
    await github.stop();
  });

  for (const c of BROKEN.slice(0, 2)) {
    test(c.name, async () => {
      const runner = new Runner();
      try {
        runner.copyExample('hasura', 'app');
        const file = join(runner.dir, 'broken-event.json');
        writeFileSync(file, c.text);
        const run = await runner.run({
          inputs: { 'working-directory': 'app', at: '2026-03-02T09:00:00Z' },
          apiUrl: github.url,
          env: { GITHUB_EVENT_PATH: file },
        });
        assert.equal(run.status, 1, run.stdout + run.stderr);
        assert.match(run.failure ?? '', c.says, run.stdout + run.stderr);
        assert.ok(run.failure!.includes('(GITHUB_EVENT_PATH)'));
        // No stack trace, no uncaught exception from an import.
        assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .+:\d+:\d+\)?\n/);
        assert.doesNotMatch(run.stderr, /SyntaxError|TypeError/);
        assert.match(run.summary, /## Skene plan failed[\s\S]*GITHUB_EVENT_PATH/);
        assert.deepEqual(github.writes(), []);
      } finally {
        runner.cleanup();
      }
    });
  }
});
