/**
 * Broken documents are the normal case in an editor. Random truncations and edits of every fixture
 * must never throw, never make a rule give up, and keep every range inside the document.
 * The node:test timeout bounds each property: a hang fails it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { analyze, CODES, loadProjectContext, prepareAnalysis, type Dialect, type ProjectContext } from '@skene/core';
import { config, typedFragments } from './fixture.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const fixtureFiles = [
  ...readdirSync(join(root, 'test/fixtures/seeds')).map((d) => join(root, 'test/fixtures/seeds', d, 'skene.config.ts')),
  ...(existsSync(join(root, 'examples'))
    ? readdirSync(join(root, 'examples'))
        .map((d) => join(root, 'examples', d, 'skene.config.ts'))
        .filter(existsSync)
    : []),
];
const fixtures = [...fixtureFiles.map((f) => readFileSync(f, 'utf8')), config()];

const fragments = fc.constantFrom(...typedFragments);

const edit = (text: string) =>
  fc.oneof(
    fc.nat({ max: text.length }).map((at) => text.slice(0, at)),
    fc.tuple(fc.nat({ max: text.length }), fc.nat({ max: 40 })).map(([at, n]) => text.slice(0, at) + text.slice(at + n)),
    fc
      .tuple(fc.nat({ max: text.length }), fc.array(fragments, { minLength: 1, maxLength: 4 }))
      .map(([at, f]) => text.slice(0, at) + f.join('') + text.slice(at)),
    fc.tuple(fc.nat({ max: text.length }), fc.string({ maxLength: 8 })).map(([at, s]) => text.slice(0, at) + s + text.slice(at)),
  );

/** Several edits in a row, as typing does. */
const edited = (text: string) =>
  fc
    .array(fc.nat(), { minLength: 1, maxLength: 3 })
    .chain((seeds) => seeds.reduce((arb, _) => arb.chain((t) => edit(t)), fc.constant(text) as fc.Arbitrary<string>));

let project: ProjectContext;
before(async () => {
  await prepareAnalysis({ dialect: 'all' });
  project = loadProjectContext(fileURLToPath(new URL('../fixtures/project/skene.config.ts', import.meta.url)));
});

function checkInvariants(text: string, dialect: Dialect): void {
  const { diagnostics, document } = analyze(text, { dialect, project });
  for (const d of diagnostics) {
    assert.ok(d.code in CODES, `unknown code ${d.code}`);
    assert.doesNotMatch(d.message, /could not finish/, `a rule gave up on:\n${text}\n${d.message}`);
    assert.ok(
      d.range.start >= 0 && d.range.start <= d.range.end && d.range.end <= text.length + 1,
      `range ${JSON.stringify(d.range)} outside a ${text.length}-char document`,
    );
    const p = document.lines.position(d.range.start);
    assert.ok(p.line >= 0 && p.character >= 0);
    for (const fix of d.fixes ?? []) for (const e of fix.edits) assert.ok(e.range.start <= e.range.end && e.range.end <= text.length);
  }
}

describe('analysis of broken documents', () => {
  fixtures.forEach((fixture, i) => {
    for (const dialect of ['postgres', 'mysql', 'redis'] as const) {
      test(`fixture ${i + 1} (${dialect}): random edits never throw`, { timeout: 60_000 }, () => {
        fc.assert(
          fc.property(edited(fixture), (text) => checkInvariants(text, dialect)),
          { numRuns: 60 },
        );
      });
    }
  });

  test('every prefix of a fixture (typing it from scratch) analyses cleanly', { timeout: 120_000 }, () => {
    const text = fixtures[fixtures.length - 1];
    for (let at = 0; at <= text.length; at += 3) checkInvariants(text.slice(0, at), 'postgres');
  });
});
