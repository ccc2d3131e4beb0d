/** `skene check` on inputs that are not what it expects: clear answers, exit codes, no hangs. */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SKENE_BIN, skene } from '../helpers/cli.js';

const LOOP = `export default { type: 'activation', opinion: 'x', steps: [{ trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'w' } }] };\n`;

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'skene-cli-hostile-'));
  mkdirSync(join(d, 'emails'));
  writeFileSync(join(d, 'emails', 'w.html'), '<p>x</p>');
  return d;
}

describe('skene check with hostile input', () => {
  test('a directory, a FIFO or a device as the config: exit 2 at once, saying what it is', () => {
    const d = dir();
    mkdirSync(join(d, 'dir.ts'));
    execFileSync('mkfifo', [join(d, 'fifo.ts')]);
    for (const [file, message] of [
      ['dir.ts', /config file is a directory: dir\.ts/],
      ['fifo.ts', /config file is not a regular file: fifo\.ts/],
      ['/dev/zero', /not a regular file/],
    ] as const) {
      const { status, stderr } = skene(['check', file], { cwd: d, timeout: 20_000 });
      assert.equal(status, 2, `${file}: ${stderr}`);
      assert.match(stderr, message);
    }
    assert.match(skene(['check', '--schema', 'fifo.ts', 'dir.ts'], { cwd: d }).stderr, /is a directory|not a regular file/);
  });

  test('--schema takes a folder; an empty --schema or unknown URL scheme is bad usage', () => {
    const d = dir();
    writeFileSync(join(d, 'skene.config.ts'), LOOP.replace("'users'", "'usres'"));
    mkdirSync(join(d, 'db'));
    writeFileSync(join(d, 'db', 'schema.sql'), 'CREATE TABLE users (id int);');
    assert.match(skene(['check', '--schema', 'db', '--format', 'json'], { cwd: d }).stdout, /Unknown table 'usres'/);
    assert.equal(skene(['check', '--schema='], { cwd: d }).status, 2);
    const oracle = skene(['check', '--database-url', 'oracle://u:pw@h/db'], { cwd: d });
    assert.equal(oracle.status, 2);
    assert.match(oracle.stderr, /unsupported scheme 'oracle'/);
    assert.doesNotMatch(oracle.stderr, /pw@/);
  });

  test('a BOM does not shift columns; tabs keep the caret under the problem', () => {
    const d = dir();
    writeFileSync(join(d, 'skene.config.ts'), `\uFEFF${LOOP.replace("'activation'", "'activaton'")}`);
    assert.deepEqual(
      JSON.parse(skene(['check', '--format', 'json'], { cwd: d }).stdout).map((x: { line: number; column: number }) => [x.line, x.column]),
      [[1, 24]],
    );
    writeFileSync(
      join(d, 'skene.config.ts'),
      `export default {\n\t\ttype: 'activaton', opinion: 'x',\n  steps: [{ trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'w' } }] };\n`,
    );
    const lines = skene(['check'], { cwd: d }).stdout.split('\n');
    assert.equal(lines[2], "2 \t\ttype: 'activaton', opinion: 'x',");
    assert.equal(lines[3], '  \t\t      ~~~~~~~~~~~');

    // A long line is cut to a window around the problem, the caret still under it.
    const pad = `/* ${'x'.repeat(300)} */`;
    writeFileSync(join(d, 'skene.config.ts'), LOOP.replace("type: 'activation'", `${pad} type: 'activaton'`));
    const [, , source, caret] = skene(['check'], { cwd: d }).stdout.split('\n');
    assert.ok(source.length < 200, `printed ${source.length} chars`);
    assert.equal(source.slice(caret.indexOf('~'), caret.indexOf('~') + 11), "'activaton'");
  });

  test('control characters in the config do not reach the terminal', () => {
    const d = dir();
    writeFileSync(join(d, 'skene.config.ts'), LOOP.replace("opinion: 'x'", "'\x1b[2J\x1b]0;PWNED\x07key': 1, opinion: 'x'"));
    const { status, stdout } = skene(['check'], { cwd: d });
    assert.equal(status, 1);
    assert.doesNotMatch(stdout, /\x1b|\x07/);
    assert.match(stdout, /\?\[2J\?\]0;PWNED\?key/);
  });

  test('a reader that closes the pipe early gets no stack trace', async () => {
    const d = dir();
    const many = Array.from({ length: 400 }, (_, i) => `  { type: 'activaton', opinion: '${i}', steps: [] },`).join('\n');
    writeFileSync(join(d, 'skene.config.ts'), `export default [\n${many}\n];\n`);
    const child = spawn(process.execPath, [SKENE_BIN, 'check'], { cwd: d, env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.doesNotMatch(stderr, /EPIPE|at \w/);
    assert.equal(code, 1);
  });
});
