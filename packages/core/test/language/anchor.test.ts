/**
 * The seam between the language services and analysis: the loop or config around the cursor is
 * read by analysis (`expressionValue`), so completion resolves a discriminated union with the
 * very value the diagnostics check — through consts and spreads — and reads negative numbers and
 * `null` as they do.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { complete, cursorContext, plainAt, toPlain, validate, type ProjectContext } from '../../src/index.ts';
import { appProject, at } from './helpers.ts';

let project: ProjectContext;
before(async () => {
  project = await appProject();
});

const withTrigger = (preamble: string, trigger: string) => `import { defineLoop } from '@skene/sdk';
${preamble}
export default defineLoop({
  type: 'activation',
  opinion: 'Welcome',
  steps: [{ trigger: { ${trigger} }, action: { type: 'email', template: 'activation_welcome' } }],
});
`;

// [through, preamble, trigger, the keys completion offers]. After a spread, `type` may still be
// written (it would override the spread's), so it stays offered.
for (const [name, preamble, trigger, keys] of [
  ['a const', "const SCHEDULE = 'schedule';", 'type: SCHEDULE, table: "users", |', ['cron', 'timezone']],
  ['a spread', "const scheduled = { type: 'schedule' } as const;", '...scheduled, table: "users", |', ['type', 'cron', 'timezone']],
] as const) {
  test(`completion resolves the trigger union through ${name}, as the diagnostics do`, () => {
    const { doc, offset } = at(withTrigger(preamble, trigger));
    // The diagnostics read a schedule trigger: `table` is not one of its keys.
    const unknown = validate(doc, { project }).filter((d) => d.code === 'SKN001');
    assert.deepEqual(
      unknown.map((d) => doc.text.slice(d.range.start, d.range.end)),
      ['table'],
    );
    // So does completion: the schedule trigger's keys, not the database trigger's `event`.
    assert.deepEqual(
      complete(doc, offset, project).items.map((i) => i.label),
      keys,
    );
  });
}

test("the anchor's value is analysis' value: consts, spreads, negative numbers and null", () => {
  const { doc, offset } = at(`import { defineLoop } from '@skene/sdk';
const recovery = { retries: -1, backoff: null };
const base = { type: 'activation' } as const;
export default defineLoop({ ...base, opinion: 'x', recovery, steps: [{ | }] });
`);
  const ctx = cursorContext(doc, offset);
  assert.ok(ctx);
  assert.deepEqual(ctx.anchor.plain, toPlain(doc.loops[0]!.node));
  assert.equal(plainAt(ctx.anchor.plain, ['type']), 'activation');
  assert.equal(plainAt(ctx.anchor.plain, ['recovery', 'retries']), -1);
  assert.equal(plainAt(ctx.anchor.plain, ['recovery', 'backoff']), null);
});
