/**
 * The loops of a half-typed config (issue 18 §4.3: the status bar counted 9 loops in a two-loop
 * document while it was being typed): TypeScript's error recovery turns a loop whose `{` is missing
 * into entries of `loops: […]` — its keys, strings and arrays — which are not loops.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigDocument, symbols } from '../../src/index.ts';

const TWO = `import { defineConfig } from '@skene/sdk';
export default defineConfig({
  loops: [
    {
      id: 'welcome',
      type: 'activation',
      opinion: 'Welcome',
      steps: [{ trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'welcome' } }],
    },
    {
      id: 'reengage',
      type: 'retention',
      opinion: 'Come back',
      steps: [{ trigger: { type: 'schedule', cron: '0 9 * * *' }, action: { type: 'email', provider: 'resend', template: 're_engagement' } }],
    },
  ],
});
`;

const loopNames = (text: string) => symbols(parseConfigDocument(text)).map((s) => s.name);

test('the second loop without its {: one loop, not its keys and values', () => {
  const open = TWO.lastIndexOf('{\n      id:');
  assert.deepEqual(loopNames(TWO.slice(0, open) + TWO.slice(open + 1)), ['welcome']);
  assert.deepEqual(loopNames(TWO), ['welcome', 'reengage']);
});

test('every prefix of the config, and the config with any one character deleted: never more than two loops', () => {
  for (let cut = 0; cut <= TWO.length; cut++) {
    for (const text of [TWO.slice(0, cut), TWO.slice(0, cut) + TWO.slice(cut + 1)]) {
      const names = loopNames(text);
      assert.ok(names.length <= 2, `${names.join(', ')} in ${JSON.stringify(text.slice(Math.max(0, cut - 30), cut + 30))}`);
    }
  }
});

test('loops the file imports, declares or computes still count', () => {
  const text = `import { defineLoop } from '@skene/sdk';
import { welcome } from './loops/welcome';
import * as more from './loops/more';
const reengage = defineLoop({ type: 'retention', opinion: 'Back', steps: [] });
export default [welcome, reengage, more.digest, makeLoop('x'), ...more.rest];
`;
  assert.equal(loopNames(text).length, 5);
});
