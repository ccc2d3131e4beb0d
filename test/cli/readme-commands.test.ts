/**
 * scripts/readme-commands.mjs hands `.ci/run` the README's commands: the shell blocks under a
 * heading, so CI runs what the README says, and nothing else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';

function commands(heading: string, readme?: string) {
  const args = [join(ROOT, 'scripts/readme-commands.mjs'), heading];
  if (readme !== undefined) {
    const file = join(mkdtempSync(join(tmpdir(), 'skene-readme-')), 'README.md');
    writeFileSync(file, readme);
    args.push(file);
  }
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const README = [
  '# Tool',
  '```sh',
  'echo not this one',
  '```',
  '## Set up and run',
  'Some words.',
  '```sh',
  'npm ci && npm run build',
  '```',
  '```ts',
  'const notShell = 1;',
  '```',
  '### A sub-heading stays in the section',
  '```bash',
  '# ## not a heading inside a block',
  'npx tool plan --at 2026-01-01T00:00:00Z',
  '```',
  '## Run the tests',
  '```sh',
  'npm test',
  '```',
].join('\n');

test('the shell blocks under a heading, in order, up to the next heading of its level', () => {
  assert.deepEqual(commands('Set up and run', README), {
    status: 0,
    stdout: 'npm ci && npm run build\n# ## not a heading inside a block\nnpx tool plan --at 2026-01-01T00:00:00Z\n',
    stderr: '',
  });
  assert.equal(commands('Run the tests', README).stdout, 'npm test\n');
});

test('a missing heading or a heading without commands fails CI, loudly', () => {
  const missing = commands('Install', README);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no heading "Install"/);
  const empty = commands('Tool', '## Tool\ntext\n## Next\n```sh\nls\n```\n');
  assert.equal(empty.status, 1);
  assert.match(empty.stderr, /no shell block under "Tool"/);
});

test('the real README: set up builds and plans with npx skene; the tests run through .ci/run', () => {
  const setup = commands('Set up and run');
  assert.equal(setup.status, 0, setup.stderr);
  assert.match(setup.stdout, /^npm ci && npm run build\n/m);
  assert.match(setup.stdout, /^(\S+=\S+ )*npx skene plan /m);
  const tests = commands('Run the tests');
  assert.equal(tests.status, 0, tests.stderr);
  assert.ok(tests.stdout.trim(), 'a test command');
});
