/**
 * setPgliteAssets: a surface that ships PGlite's pglite.wasm and pglite.data elsewhere than beside
 * PGlite's code (the Action unpacks them into a cache) says where, and the embedded database —
 * started in its worker thread — loads them from there and nowhere else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openSource, setPgliteAssets, type SqlSource } from '../../src/sources/index.js';

const pgliteDist = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-pglite-assets-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the embedded database starts from the files setPgliteAssets names, under other names and folder', async (t) => {
  const dir = tempDir(t);
  const wasm = join(dir, 'moved-postgres.wasm');
  const data = join(dir, 'moved-share.data');
  copyFileSync(join(pgliteDist, 'pglite.wasm'), wasm);
  copyFileSync(join(pgliteDist, 'pglite.data'), data);
  setPgliteAssets({ wasm, data });
  t.after(() => setPgliteAssets(undefined));
  const source = (await openSource({})) as SqlSource;
  try {
    const rows = await source.readOnly((s) => s.query('SELECT 6 * 7 AS answer', [], { timeoutMs: 30_000, at: new Date() }));
    assert.deepEqual(rows, [{ answer: 42 }]);
  } finally {
    await source.close();
  }
});

test('a wrong file named there fails the start: the named files are what PGlite loads', async (t) => {
  const dir = tempDir(t);
  const wasm = join(dir, 'not-webassembly.wasm');
  writeFileSync(wasm, 'not WebAssembly');
  setPgliteAssets({ wasm, data: join(pgliteDist, 'pglite.data') });
  t.after(() => setPgliteAssets(undefined));
  await assert.rejects(openSource({}), /WebAssembly|magic/i);
  setPgliteAssets({ wasm: join(pgliteDist, 'pglite.wasm'), data: join(dir, 'missing.data') });
  await assert.rejects(openSource({}), /missing\.data/);
});
