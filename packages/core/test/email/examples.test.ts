// Every email template of examples/ compiles and renders with the props its config passes.
// (The plans themselves — which users get which email — are tested with the plan engine.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderEmail } from '@skene/core';

const examplesDir = fileURLToPath(new URL('../../../../examples', import.meta.url));
const examples = readdirSync(examplesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

/** `template: 'x'` and the personalization keys that follow it, read from the config text. */
function actionsOf(configText: string): { template: string; keys: string[] }[] {
  const actions: { template: string; keys: string[] }[] = [];
  for (const m of configText.matchAll(/template:\s*'([^']+)',\s*personalization:\s*\{([^}]*)\}/g)) {
    actions.push({ template: m[1]!, keys: [...m[2]!.matchAll(/(\w+):\s*'/g)].map((k) => k[1]!) });
  }
  return actions;
}

const SAMPLE: Record<string, string> = {
  name: "Zoë <O'Brien> & Co",
  activationLink: 'https://app.example.com/activate/abc?x=1&y=2',
  lastActivity: '2026-02-10T14:22:00.000Z',
  plan: 'pro',
  sessionsLastWeek: '1',
  sessionsPreviousWeek: '10',
  lastAction: 'invoice_downloaded',
};

test('the five examples exist', () => {
  assert.deepEqual(examples, ['hasura', 'nestjs-postgres-stripe', 'nextjs-upstash-clerk', 'tidb', 'upstash']);
});

for (const example of examples) {
  const dir = join(examplesDir, example);
  const configs = readdirSync(dir).filter((f) => /^skene(\.[a-z]+)?\.config\.ts$/.test(f));
  for (const config of configs) {
    for (const { template, keys } of actionsOf(readFileSync(join(dir, config), 'utf8'))) {
      test(`${example}/${config}: ${template} renders with its personalization`, async () => {
        assert.ok(keys.length > 0);
        const props = Object.fromEntries(keys.map((k) => [k, SAMPLE[k] ?? `sample ${k}`]));
        const email = await renderEmail({ emailsDir: join(dir, 'emails'), template, props });
        assert.equal(email.kind, 'react');
        assert.ok(email.subject && email.subject.length > 0, 'the template exports a subject');
        assert.match(email.subject!, /Zoë <O'Brien> & Co/);
        assert.match(email.html, /Zoë/, 'the name is in the HTML');
        assert.doesNotMatch(email.html, /<O'Brien>/, 'and escaped there');
        assert.doesNotMatch(email.html, /undefined|\[object Object\]|NaN/);
        assert.ok(email.text.length > 50);
        assert.deepEqual(email.missing, []);
      });
    }
  }
}
