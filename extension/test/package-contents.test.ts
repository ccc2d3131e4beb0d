/** `vsce ls`: the .vsix holds the manifest, the bundles, their WebAssembly and media — no stray files. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const EXT = fileURLToPath(new URL('..', import.meta.url));
const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^CHANGELOG\.md$/,
  /^LICENSE$/,
  /^dist\/(extension\.cjs|server\.mjs|sdk\.mjs|(pglite|render|config)-worker\.js|package\.json|libpg-query\.wasm|pglite\.wasm|pglite\.data|initdb\.wasm)$/,
  /^media\/(icon\.png|walkthrough\/[a-z]+\.md)$/,
  /^snippets\/skene\.code-snippets$/,
];

test('vsce ls lists only the files the extension needs', () => {
  const vsce = join(dirname(createRequire(join(EXT, 'package.json')).resolve('@vscode/vsce/package.json')), 'vsce');
  const files = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: EXT, encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const stray = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
  assert.deepEqual(stray, [], `stray files in the .vsix: ${stray.join(', ')}`);
  for (const needed of ['package.json', 'README.md', 'LICENSE', 'media/icon.png', 'snippets/skene.code-snippets'])
    assert.ok(files.includes(needed), `${needed} is packaged`);
});
