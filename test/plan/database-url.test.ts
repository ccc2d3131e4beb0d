/** `skene plan --database-url` with a URL that does not parse: one line naming the part, exit 1, no password. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../packages/cli/src/main.js';

const root = new URL('../..', import.meta.url).pathname;

test('an unparsable --database-url says which part is wrong, never the password', async () => {
  let stderr = '';
  const code = await main(
    [
      'plan',
      '--config',
      'examples/tidb/skene.config.ts',
      '--seed',
      'examples/tidb/seed',
      '--database-url',
      'mysql://root:hunter/2@127.0.0.1:3306/test',
      '--at',
      '2026-03-02T09:00:00Z',
    ],
    { stdout: () => {}, stderr: (s) => void (stderr += s), cwd: root, env: { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' }, isTTY: false },
  );
  assert.equal(code, 1);
  assert.equal(stderr.split('\n').length, 2, `one line: ${stderr}`);
  assert.match(
    stderr,
    /^skene plan: database URL mysql:\/\/root:\*\*\*@127\.0\.0\.1:3306\/test does not parse: the user name or password has a character URLs reserve/,
  );
  assert.match(stderr, /Expected mysql:\/\/user:password@host:3306\/database\n$/);
  assert.ok(!stderr.includes('hunter'), stderr);
});
