/**
 * importPglite: on Node 24 (V8 13) PGlite is loaded with V8's WebAssembly code GC off, which
 * can free an import wrapper twice and abort the process there (see v8-flags.ts); elsewhere
 * V8's default is left alone. What V8 does is read from its own trace of the code GC.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const churn = fileURLToPath(new URL('./fixtures/pglite-churn.ts', import.meta.url));
const v8WithTheBug = process.versions.v8.startsWith('13.');

/** How many times V8 started collecting WebAssembly code while `churn` ran. */
function codeGcs(how: 'core' | 'direct'): number {
  const result = spawnSync(process.execPath, ['--trace-wasm-code-gc', '--conditions=source', '--import', 'tsx', churn, how], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return (result.stdout + result.stderr).split('\n').filter((line) => line.startsWith('[wasm-gc] Starting GC')).length;
}

test('PGlite from the package: V8 collects the WebAssembly code its instances leave behind', () => {
  assert.ok(codeGcs('direct') > 0, 'three PGlite instances in turn should leave dead code to collect');
});

test(`PGlite through core: ${v8WithTheBug ? 'no code GC on V8 13 (Node 24)' : `V8 ${process.versions.v8} keeps its code GC`}`, () => {
  const collections = codeGcs('core');
  if (v8WithTheBug) assert.equal(collections, 0);
  else assert.ok(collections > 0);
});
