/**
 * Diagnostics loop by loop (loop-results.ts): after an edit inside one loop, the loops it did not
 * touch keep their diagnostics (moved where the edit moved them), and anything else a loop's
 * diagnostics were worked out from — the project's schema, the dialect, the config's own keys —
 * has them worked out again. incremental.test.ts holds every edited version's diagnostics equal to
 * a whole parse's; this file shows the reuse happens, and where it must not.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadProjectContext, parseConfigDocument, prepareAnalysis, validate, type Diagnostic, type ProjectContext } from '@skene/core';
import { reparseConfigDocument } from '../../src/analysis/incremental.js';

const loop = (i: number, column = 'name') => `{
      id: 'loop-${i}',
      type: 'activation',
      opinion: 'Welcome ${i}',
      steps: [{
        trigger: { type: 'database', table: 'users', event: 'insert' },
        condition: { type: 'query', query: 'SELECT 1 FROM user_actions WHERE user_id = $1', timeout: '5x' },
        action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.${column}}}' } },
      }],
    }`;

const config = (extra = '', trailing = '') => `export default {${extra}
  loops: [
    ${[0, 1, 2].map((i) => loop(i, i === 2 ? 'nme' : 'name')).join(',\n    ')},
  ],${trailing}
};
`;

/** `text` with `word` typed before loop 1's opinion. */
const typed = (text: string, word: string) => {
  const at = text.indexOf("Welcome 1'");
  return text.slice(0, at) + word + text.slice(at);
};

let dir: string;
let project: ProjectContext;
before(async () => {
  await prepareAnalysis();
  dir = mkdtempSync(join(tmpdir(), 'skene-loop-results-'));
  writeFileSync(join(dir, 'seed.sql'), 'CREATE TABLE users (id int PRIMARY KEY, email text, name text);\nCREATE TABLE user_actions (id int, user_id int);\n');
  writeFileSync(join(dir, 'skene.config.ts'), config());
  project = loadProjectContext(join(dir, 'skene.config.ts'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The diagnostics whose range lies in loop `i` of `text`. */
function inLoop(text: string, diagnostics: Diagnostic[], i: number): Diagnostic[] {
  const start = text.indexOf(`id: 'loop-${i}'`);
  const next = text.indexOf(`id: 'loop-${i + 1}'`);
  return diagnostics.filter((d) => d.range.start >= start && (next === -1 || d.range.start < next));
}

describe('diagnostics loop by loop', () => {
  test('an edit in one loop keeps the others’ diagnostics: as they were before it, moved after it', () => {
    // The first edit has every loop checked (a document read whole has its rules run over all
    // loops at once); from the second, the loops it did not touch keep theirs.
    const original = config();
    const text = typed(original, 'Hi ');
    const first = reparseConfigDocument(parseConfigDocument(original), text);
    const before = validate(first, { project });
    assert.equal(inLoop(text, before, 2).filter((d) => d.code === 'SKN041').length, 1, 'loop 2 reads an unknown column');

    const edited = typed(text, 'Hello, ');
    const after = validate(reparseConfigDocument(first, edited), { project });
    assert.deepStrictEqual(after, validate(parseConfigDocument(edited), { project }), 'the same as a whole parse');

    const kept = inLoop(text, before, 0);
    assert.ok(kept.length > 0, 'loop 0 has diagnostics (its timeout)');
    for (const d of kept) assert.ok(after.includes(d), `loop 0's ${d.code} is the same object: not worked out again`);
    const moved = inLoop(edited, after, 2);
    assert.deepStrictEqual(
      moved.map((d) => d.range.start),
      inLoop(text, before, 2).map((d) => d.range.start + 'Hello, '.length),
    );
    assert.ok(moved.every((d) => !before.includes(d)));
  });

  test('kept with a config key after the loops, and without project files', () => {
    const original = config('', "\n  limits: { perUser: { emails: 1, per: '1d' } },");
    const text = typed(original, 'Hi ');
    const first = reparseConfigDocument(parseConfigDocument(original), text);
    const before = validate(first);
    const edited = typed(text, 'Hello, ');
    const after = validate(reparseConfigDocument(first, edited));
    assert.deepStrictEqual(after, validate(parseConfigDocument(edited)));
    const kept = inLoop(text, before, 0);
    assert.ok(kept.length > 0);
    // The key after the loops is a moved copy (the same value), and no project is one project.
    for (const d of kept) assert.ok(after.includes(d), `loop 0's ${d.code} is the same object`);
  });

  test('another project, dialect or config key outside the loops has them worked out again', () => {
    const original = config();
    const at = original.indexOf("'Welcome 1'") + 1;
    const text = original.slice(0, at) + 'Hi ' + original.slice(at);
    const doc = reparseConfigDocument(parseConfigDocument(original), text);
    const whole = parseConfigDocument(text);
    const withSchema = validate(doc, { project });
    assert.ok(withSchema.some((d) => d.code === 'SKN041'));
    assert.deepStrictEqual(validate(doc, {}), validate(whole, {}), 'no schema: no unknown column');
    assert.ok(!validate(doc, {}).some((d) => d.code === 'SKN041'));
    assert.deepStrictEqual(validate(doc, { project, dialect: 'mysql' }), validate(whole, { project, dialect: 'mysql' }));
    assert.ok(!validate(doc, { project, dialect: 'redis' }).some((d) => d.code === 'SKN041'), 'redis reads no columns');
    assert.deepStrictEqual(validate(doc, { project }), withSchema, 'the first project again');
  });
});
