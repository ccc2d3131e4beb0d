/** Completion opened by typing `{`: only for the second brace of `{{` in a string (issue 18 §4.1). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { complete, completesOnTrigger, COMPLETION_TRIGGER_CHARACTERS } from '../../src/index.ts';
import { appProject, at, loop } from './helpers.ts';

const STEPS_OPEN = `import { defineLoop } from '@skene/sdk';
export default defineLoop({
  type: 'activation',
  opinion: 'Welcome',
  steps: [{|}],
});
`;

test('typing { where a step opens asks for nothing; Ctrl+Space there still offers the keys', async () => {
  const { doc, offset } = at(STEPS_OPEN);
  assert.equal(completesOnTrigger(doc, offset, '{'), false);
  // Invoked (no trigger character): the step's keys, as before.
  assert.equal(completesOnTrigger(doc, offset, undefined), true);
  const labels = complete(doc, offset, await appProject()).items.map((i) => i.label);
  assert.ok(labels.includes('trigger'), labels.join(', '));
});

test('a { in code or a single { in a string asks for nothing', () => {
  for (const marked of [loop('trigger: {|}'), loop("action: { type: 'email', subject: 'a {|' }")]) {
    const { doc, offset } = at(marked);
    assert.equal(completesOnTrigger(doc, offset, '{'), false, marked);
  }
});

test('the second brace of {{ in a string opens the placeholder roots; . and quotes trigger as before', async () => {
  const project = await appProject();
  const roots = at(loop("action: { type: 'email', provider: 'resend', template: 'activation_welcome', subject: 'Hi {{|' }"));
  assert.equal(completesOnTrigger(roots.doc, roots.offset, '{'), true);
  assert.ok(complete(roots.doc, roots.offset, project).items.some((i) => i.label === 'user'));
  const columns = at(
    loop(
      "trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'activation_welcome', subject: 'Hi {{user.|' }",
    ),
  );
  assert.equal(completesOnTrigger(columns.doc, columns.offset, '.'), true);
  assert.ok(complete(columns.doc, columns.offset, project).items.some((i) => i.label === 'email'));
  assert.ok(COMPLETION_TRIGGER_CHARACTERS.includes('.') && COMPLETION_TRIGGER_CHARACTERS.includes("'"));
});
