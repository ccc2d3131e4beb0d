/**
 * `npx skene` on a fresh clone: npm links a workspace's bin at install time only when its target
 * exists, and `npm ci` runs before `npm run build`. So the bin is a committed file that loads the
 * built CLI, and says how to build it when it is not built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../helpers/cli.js';

const CLI = join(ROOT, 'packages/cli');
const manifest = JSON.parse(readFileSync(join(CLI, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
const binPath = join(CLI, manifest.bin.skene!);

test('the skene bin is a committed, executable file, shipped in the package', () => {
  assert.ok(!manifest.bin.skene!.replace(/^\.\//, '').startsWith('dist/'), 'not a build output: npm links it before the build');
  const tracked = spawnSync('git', ['ls-files', '--error-unmatch', binPath], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(tracked.status, 0, `${manifest.bin.skene} is committed: ${tracked.stderr}`);
  assert.ok(statSync(binPath).mode & 0o100, 'executable');
  assert.ok(readFileSync(binPath, 'utf8').startsWith('#!/usr/bin/env node\n'));
  const shipped = (path: string) => manifest.files.some((entry) => path === entry || path.startsWith(`${entry.replace(/\/$/, '')}/`));
  assert.ok(shipped(manifest.bin.skene!.replace(/^\.\//, '')), 'the bin is in `files`');
  assert.ok(shipped('dist/bin.cjs'), 'the CLI it loads is in `files`');
});

/** The bin file copied into a package folder of its own (an ES module package, as the CLI's), with or without a dist/bin.cjs. */
function packageWith(distBin: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-bin-'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const copy = join(dir, manifest.bin.skene!);
  mkdirSync(join(copy, '..'), { recursive: true });
  copyFileSync(binPath, copy);
  if (distBin !== undefined) {
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'bin.cjs'), distBin);
  }
  return copy;
}

test('not built: one line saying to build, exit 1', () => {
  const r = spawnSync(process.execPath, [packageWith(undefined), 'plan'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'skene: the CLI is not built — run npm run build first\n');
  assert.equal(r.stdout, '');
});

test('built: it runs the CLI with the arguments, and its exit status', () => {
  const r = spawnSync(process.execPath, [packageWith('console.log(JSON.stringify(process.argv.slice(2))); process.exitCode = 3;\n'), 'plan', '--at', 'x y'], {
    encoding: 'utf8',
  });
  assert.equal(r.stderr, '');
  assert.deepEqual(JSON.parse(r.stdout), ['plan', '--at', 'x y']);
  assert.equal(r.status, 3);
});

test('the real bin runs the built CLI', (t) => {
  if (!existsSync(join(CLI, 'dist/bin.cjs'))) return t.skip('packages/cli/dist is not built (npm run build)');
  const r = spawnSync(process.execPath, [binPath, 'plan', '--format', 'yaml'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^skene plan: --format must be text, markdown, json or html, not 'yaml'/);
});

test('skene --version is the version of the installed package, not a number written in the code', (t) => {
  if (!existsSync(join(CLI, 'dist/bin.cjs'))) return t.skip('packages/cli/dist is not built (npm run build)');
  // A copy of the built package with another version, inside the repo so its dependencies resolve.
  const copy = mkdtempSync(join(ROOT, 'node_modules', '.skene-version-'));
  t.after(() => rmSync(copy, { recursive: true, force: true }));
  cpSync(join(CLI, 'bin'), join(copy, 'bin'), { recursive: true });
  cpSync(join(CLI, 'dist'), join(copy, 'dist'), { recursive: true });
  writeFileSync(join(copy, 'package.json'), JSON.stringify({ ...manifest, version: '9.8.7-test' }));
  const r = spawnSync(process.execPath, [join(copy, manifest.bin.skene!), '--version'], { cwd: tmpdir(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '9.8.7-test\n');
});

/** A script run by Node the way the tests run the sources, with `exitWith` from the CLI's src/exit.ts. */
function runExitWith(body: string) {
  const exitModule = pathToFileURL(join(CLI, 'src/exit.ts')).href;
  const script = `import { exitWith } from ${JSON.stringify(exitModule)};\n${body}`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
}

test('a command that settles exits with its status, after its last step', () => {
  const r = runExitWith("exitWith(new Promise((resolve) => setTimeout(() => resolve(3), 20)), () => process.stdout.write('caches written'));");
  assert.equal(r.status, 3, r.stderr);
  assert.equal(r.stdout, 'caches written');
  assert.equal(r.stderr, '');
});

test('a command left waiting on a promise that never settles exits 1 and says so, not 0', () => {
  const r = runExitWith("exitWith(new Promise(() => {}), () => process.stdout.write('caches written'));");
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^skene: the command stopped before it finished/);
});

test('an explicit process.exit keeps its status (skene check | head)', () => {
  const r = runExitWith('exitWith(new Promise(() => {})); setTimeout(() => process.exit(0), 20);');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
});
