/**
 * The server reads a config's tables as the plan does (core's projectData): `skene.seed` resolved
 * against the config's folder — in a monorepo `apps/api/`, not the workspace root — else the seed
 * beside the config; so completion and diagnostics offer only tables the plan's database has.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { prepareAnalysis } from '@skene/core/analysis';
import type { Connection } from 'vscode-languageserver/node';
import { readSettings } from '../src/settings.ts';
import { Workspace } from '../src/workspace.ts';

const root = mkdtempSync(join(tmpdir(), 'skene-ls-seed-'));
after(() => rmSync(root, { recursive: true, force: true }));
before(() => prepareAnalysis());

const FILES: Record<string, string> = {
  'apps/api/skene.config.ts': "import { defineLoop } from '@skene/sdk';\nexport default defineLoop({ type: 'activation', opinion: 'x', steps: [] });\n",
  'apps/api/skene/seed.sql': 'CREATE TABLE users (id int, email text);\n',
  'apps/api/seed/postgres/001.sql': 'CREATE TABLE users (id int, email text);\nCREATE TABLE user_actions (id int, user_id int);\n',
};
for (const [path, text] of Object.entries(FILES)) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
const uri = pathToFileURL(join(root, 'apps/api/skene.config.ts')).toString();

function tablesWith(seed: unknown): string[] {
  const ws = new Workspace({ console: { error: () => undefined } } as unknown as Connection);
  ws.settings = readSettings({ skene: { seed } });
  return [...(ws.projectOf(uri).schema?.tables.keys() ?? [])].sort();
}

test('no skene.seed: the seed beside the config (apps/api/seed/postgres), as the plan finds it', () => {
  assert.deepEqual(tablesWith(undefined), ['user_actions', 'users']);
  assert.deepEqual(tablesWith([]), ['user_actions', 'users']);
});

test('skene.seed is resolved against the config folder, and is the only seed read', () => {
  assert.deepEqual(tablesWith('skene/seed.sql'), ['users']);
  assert.deepEqual(tablesWith(['seed/postgres']), ['user_actions', 'users']);
});

test('readSettings keeps skene.seed as a list of non-empty paths', () => {
  assert.deepEqual(readSettings({ skene: { seed: 'a.sql' } }).seed, ['a.sql']);
  assert.deepEqual(readSettings({ skene: { seed: ['', 'b', 3] } }).seed, ['b']);
  assert.deepEqual(readSettings({ skene: {} }).seed, []);
});
