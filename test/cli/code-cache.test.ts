/**
 * `skene` compiles TypeScript from a V8 code cache in the temporary folder (the first run writes
 * it): the cache may only ever make a run faster — a damaged cache, or none allowed, gives the
 * same answer. (How much faster is measured in bench/analysis.ts, not here.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAscii } from 'node:buffer';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWithCodeCache } from '@skene/core/code-cache';
import { ROOT, skene } from '../helpers/cli.js';

const CONFIG = join(ROOT, 'examples/hasura/skene.config.ts');

function caches(tmp: string): string[] {
  try {
    return readdirSync(join(tmp, 'skene-code-cache')).filter((f) => f.startsWith('typescript-') && f.endsWith('.v8cache'));
  } catch {
    return [];
  }
}

test('skene check writes a TypeScript code cache once, and a damaged one changes nothing', (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'skene-code-cache-test-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const check = (env: NodeJS.ProcessEnv = {}) => skene(['check', CONFIG, '--format', 'json'], { env: { TMPDIR: tmp, ...env } });

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
  const plain = skene(['check', CONFIG, '--format', 'json'], { env: { TMPDIR: tmp, SKENE_NO_CODE_CACHE: '1' } });
  assert.equal(plain.status, 0, plain.stderr);
  assert.deepEqual(caches(tmp), []);
  const withCache = skene(['check', CONFIG, '--format', 'json'], { env: { TMPDIR: tmp } });
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
