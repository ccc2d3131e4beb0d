/**
 * One repository URL (issue 18 §4.4: diagnostic code links went to one repository, the extension's
 * manifest named another). Core names it once (packages/core/src/repository.ts); the package.json
 * `repository` fields and the docs that name the repository must agree with it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DOCS_BASE, docsUrl, REPOSITORY, REPOSITORY_URL } from '@skene/core';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKSPACES: string[] = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).workspaces;

test('diagnostic code links point into the repository', () => {
  assert.ok(DOCS_BASE.startsWith(`${REPOSITORY_URL}/blob/main/`), DOCS_BASE);
  assert.equal(docsUrl('SKN001'), `${REPOSITORY_URL}/blob/main/docs/diagnostics.md#skn001-unknown-key`);
});

test("every package's manifest names the same repository, with its own folder", () => {
  for (const dir of WORKSPACES) {
    const manifest = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
    assert.deepEqual(manifest.repository, { type: 'git', url: `${REPOSITORY_URL}.git`, directory: dir }, `${dir}/package.json repository`);
    for (const field of [manifest.homepage, manifest.bugs?.url].filter(Boolean)) assert.ok(field.startsWith(`${REPOSITORY_URL}/`), `${dir}: ${field}`);
  }
});

test('docs, READMEs and the Action name no other repository', () => {
  const files = execFileSync('git', ['ls-files', '*.md', '*.json', '*.yml', '*.yaml', '*.ts', '*.mjs'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && !f.startsWith('action/dist/') && !f.endsWith('package-lock.json') && !f.includes('/fixtures/'));
  const named = /(?:github\.com\/|uses:\s*)([\w.-]+)\/skene\b/g;
  const others: string[] = [];
  let seen = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(join(ROOT, file), 'utf8');
    } catch {
      continue; // listed in the index but removed in the work tree
    }
    for (const m of text.matchAll(named)) {
      seen++;
      if (`${m[1]}/skene` !== REPOSITORY) others.push(`${file}: ${m[0]}`);
    }
  }
  assert.deepEqual(others, []);
  assert.ok(seen >= 3, 'the READMEs name the Action (uses: …/skene/action@v1)');
});
