/**
 * A config is code CI runs: however it ends other than by exporting loops (an exit, a throw, a
 * rejection, a top-level await that never settles, a loop), loading it fails with one line
 * naming the file (and line where known), within its deadline; no compiled bundle is left
 * beside it, whatever happened.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/plan/load-config.js';

const LOOP = `defineLoop({ type: 'activation', opinion: 'x', steps: [{ trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'welcome' } }] })`;

/** Each case: the config's text, and what loading it must give (a loop count, or the error's message). */
const CASES: Record<string, { text: string; expect: number | RegExp }> = {
  'ok.ts': { text: `import { defineLoop } from '@skene/sdk';\nconsole.log('printed while loading');\nexport default ${LOOP};\n`, expect: 1 },
  'exit.ts': {
    text: `import { defineLoop } from '@skene/sdk';\n\nprocess.exit(0);\nexport default ${LOOP};\n`,
    expect: /^exit\.ts:3:\d+: the config called process\.exit\(0\) while loading — /,
  },
  'exit-later.ts': {
    text: `import { defineLoop } from '@skene/sdk';\nawait Promise.resolve();\nsetImmediate(() => process.exit(0));\nexport default ${LOOP};\n`,
    expect: /^exit-later\.ts:3:\d+: the config called process\.exit\(0\) while loading/,
  },
  'loop.ts': { text: `while (true) {}\nexport default 1;\n`, expect: /^loop\.ts: the config did not finish loading within 2 s: does it loop forever/ },
  'tla.ts': {
    text: `await new Promise(() => {});\nexport default 1;\n`,
    expect: /^tla\.ts: the config stopped before it finished loading: a top-level await that never settles\?$/,
  },
  'timer.ts': {
    text: `import { defineLoop } from '@skene/sdk';\nsetTimeout(() => {\n  throw new Error('late');\n}, 0);\nexport default ${LOOP};\n`,
    expect: /^timer\.ts:3:9: the config threw from a callback while loading \(a timer or event\): late$/,
  },
  'rejects.ts': {
    text: `Promise.reject(new Error('nope'));\nexport default 1;\n`,
    expect: /^rejects\.ts:1:\d+: a promise the config created was rejected and never handled: nope$/,
  },
  'throws.ts': { text: `const x = 1;\nif (x) throw new Error('boom');\nexport default 1;\n`, expect: /^throws\.ts:2:\d+: boom$/ },
  'wrongtype.ts': {
    text: `import { defineLoop } from '@skene/sdk';\nexport default defineLoop({ type: 'activation', opinion: 'x', steps: [{ trigger: { type: 'database', table: 'users', event: 'insert' },\n  action: { type: 'email', provider: 'resend', template: 3 } }] });\n`,
    expect: /^wrongtype\.ts:2:\d+ is not a valid Skene config: steps\.0\.action\.template: .*expected string, received number$/,
  },
};

/** Loads every case from `dir`; returns what each gave (loop count or error message). */
async function loadAll(dir: string) {
  const cwd = process.cwd();
  process.chdir(dir); // messages name files relative to the working directory
  try {
    return await Promise.all(
      Object.entries(CASES).map(async ([name, { text }]) => {
        writeFileSync(join(dir, name), text);
        const outcome = await loadConfig(join(dir, name), { timeoutMs: name === 'loop.ts' ? 2000 : 60_000 }).then(
          (c) => c.loops.length,
          (e: unknown) => (assert.ok(e instanceof ConfigError, `${name}: ${String(e)}`), e.message),
        );
        return { name, outcome };
      }),
    );
  } finally {
    process.chdir(cwd);
  }
}

for (const layout of ['beside the config (no node_modules above it)', 'in node_modules/.cache/skene']) {
  test(`every way a config can fail to export its loops is one clear error; no bundle is left ${layout}`, async () => {
    const root = mkdtempSync(join(tmpdir(), 'skene-isolation-'));
    const dir = layout.startsWith('in') ? join(root, 'project') : root;
    if (layout.startsWith('in')) mkdirSync(join(dir, 'node_modules'), { recursive: true });
    mkdirSync(dir, { recursive: true });
    const results = await loadAll(dir);
    for (const { name, outcome } of results) {
      const { expect } = CASES[name]!;
      if (typeof expect === 'number') assert.equal(outcome, expect, name);
      else assert.match(String(outcome), expect, name);
      assert.ok(!String(outcome).includes('\n'), `${name}: one line`);
    }
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('skene-config') || f.startsWith('.skene')),
      [],
    );
    if (layout.startsWith('in')) assert.deepEqual(readdirSync(join(dir, 'node_modules', '.cache', 'skene')), []);
  });
}
