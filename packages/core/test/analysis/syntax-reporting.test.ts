/**
 * Plain TypeScript syntax errors (SKN006) are reported by `skene check` (nothing else tells the
 * user the file does not parse) and left to TypeScript in an editor, which shows each one itself
 * (issue 18 §4.2). What only Skene can say stays in both.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { analyze, prepareAnalysis } from '@skene/core';
import { config } from './fixture.js';

before(() => prepareAnalysis());

// An unterminated string, and a typo Skene's schema catches further up.
const BROKEN = config().replace("type: 'activation'", "type: 'activation', opinon: 'x'") + "\nconst s = 'unterminated\n";

test('by default (the CLI, the Action) a plain syntax error is SKN006', () => {
  const codes = analyze(BROKEN).diagnostics.map((d) => d.code);
  assert.ok(codes.includes('SKN006'), codes.join(', '));
  assert.ok(codes.includes('SKN001'), codes.join(', '));
});

test('left to TypeScript (the editor), the same file has no SKN006 but keeps the rest', () => {
  const found = analyze(BROKEN, { syntax: 'leave-to-typescript' }).diagnostics;
  assert.deepEqual(
    found.filter((d) => d.code === 'SKN006'),
    [],
  );
  assert.ok(found.some((d) => d.code === 'SKN001'));
});

test('a file too deeply nested for Skene to parse is reported either way: TypeScript would not say why', () => {
  const deep = `export default ${'{a:'.repeat(1000)}1${'}'.repeat(1000)};`;
  const found = analyze(deep, { syntax: 'leave-to-typescript' }).diagnostics.filter((d) => d.code === 'SKN006');
  assert.equal(found.length, 1);
  assert.match(found[0]!.message, /nests brackets too deeply/);
});
