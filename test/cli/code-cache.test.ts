/**
 * `skene` compiles TypeScript from a V8 code cache in the temporary folder (the first run writes
 * it), and only when a config needs TypeScript to be read: a plain JavaScript one is checked
 * without it. The cache may only ever make a run faster — a damaged cache, or none allowed, gives
 * the same answer. (How much faster is measured in bench/analysis.ts, not here.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAscii } from 'node:buffer';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWithCodeCache } from '@skene/core/code-cache';
import { ROOT, skene } from '../helpers/cli.js';

const CONFIG = join(ROOT, 'examples/hasura/skene.config.ts');

/** A copy of the example, its config's text changed by `edit`. */
function exampleCopy(t: { after(fn: () => void): void }, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-example-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(ROOT, 'examples/hasura'), dir, { recursive: true });
  const config = join(dir, 'skene.config.ts');
  writeFileSync(config, edit(readFileSync(CONFIG, 'utf8')));
  return config;
}

/** A type-only import: TypeScript syntax, which only TypeScript reads. */
const typed = (text: string) => `import type { Loop } from '@skene/sdk';\n${text}`;
const misspelt = (text: string) => text.replace("backoff: 'exponential'", "backoff: 'exponentail'");

function caches(tmp: string): string[] {
  try {
    return readdirSync(join(tmp, 'skene-code-cache')).filter((f) => f.startsWith('typescript-') && f.endsWith('.v8cache'));
  } catch {
    return [];
  }
}

test('a config in plain JavaScript is checked without loading TypeScript', (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'skene-code-cache-test-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const check = (config: string) => skene(['check', config, '--format', 'json'], { env: { TMPDIR: tmp } });
  const plain = check(exampleCopy(t, misspelt));
  assert.equal(plain.status, 1, plain.stderr);
  assert.ok(
    readdirSync(join(tmp, 'skene-code-cache')).some((f) => f.startsWith('check-')),
    'the check bundle has its cache',
  );
  assert.deepEqual(caches(tmp), [], 'TypeScript was never loaded, so it has no cache');
  const withTypes = check(exampleCopy(t, (text) => typed(misspelt(text))));
  assert.equal(withTypes.status, 1, withTypes.stderr);
  assert.equal(caches(tmp).length, 1, 'a config in TypeScript syntax loads TypeScript');
  // Either way the same diagnostics (a line lower below the added import).
  const found = (out: string) => (JSON.parse(out) as { line: number; column: number; code: string }[]).map((d) => [d.code, d.line, d.column]);
  assert.ok(found(plain.stdout).length > 0, plain.stdout);
  assert.deepEqual(
    found(withTypes.stdout),
    found(plain.stdout).map(([code, line, column]) => [code, Number(line) + 1, column]),
  );
});

test('skene check writes a TypeScript code cache once, and a damaged one changes nothing', (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'skene-code-cache-test-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const config = exampleCopy(t, typed);
  const check = (env: NodeJS.ProcessEnv = {}) => skene(['check', config, '--format', 'json'], { env: { TMPDIR: tmp, ...env } });

  const first = check();
  assert.equal(first.status, 0, first.stderr);
  const written = caches(tmp);
  assert.equal(written.length, 1, `one cache file for TypeScript: ${JSON.stringify(written)}`);
  assert.match(written[0]!, /^typescript-minified-/, 'the check bundle loads the minified TypeScript beside it');

  const cached = check();
  assert.equal(cached.status, 0, cached.stderr);
  assert.equal(cached.stdout, first.stdout);

  writeFileSync(join(tmp, 'skene-code-cache', written[0]!), 'not a V8 code cache');
  const damaged = check();
  assert.equal(damaged.status, 0, damaged.stderr);
  assert.equal(damaged.stdout, first.stdout);
  assert.equal(damaged.stderr, '');
});

test('SKENE_NO_CODE_CACHE=1: no cache is written, the answer is the same', (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'skene-code-cache-test-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const config = exampleCopy(t, typed);
  const plain = skene(['check', config, '--format', 'json'], { env: { TMPDIR: tmp, SKENE_NO_CODE_CACHE: '1' } });
  assert.equal(plain.status, 0, plain.stderr);
  assert.deepEqual(caches(tmp), []);
  const withCache = skene(['check', config, '--format', 'json'], { env: { TMPDIR: tmp } });
  assert.equal(withCache.stdout, plain.stdout);
});

test('the bundles compiled from code caches are ASCII, read without decoding; a file that is not still loads as UTF-8', async (t) => {
  for (const bundle of ['packages/language-server/dist/server.cjs', 'packages/cli/dist/check.cjs']) {
    assert.ok(isAscii(readFileSync(join(ROOT, bundle))), `${bundle} has characters outside ASCII (scripts/bundle-cached.mjs escapes them)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'skene-code-cache-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'utf8.cjs');
  writeFileSync(file, `// Zoë — “quoted”\nmodule.exports = { text: 'Zoë — 日本語 👩🏽‍💻', length: 'é'.length };\n`);
  const loaded = loadWithCodeCache<{ text: string; length: number }>(file, `utf8-test-${process.pid}`);
  assert.deepEqual(loaded?.exports, { text: 'Zoë — 日本語 👩🏽‍💻', length: 1 });
});
