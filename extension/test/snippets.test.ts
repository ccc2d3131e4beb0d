/** The snippets, expanded with their default placeholders, are configs Skene's checker accepts. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it, before } from 'node:test';
import { parseConfigDocument, prepareAnalysis, validate } from '@skene/core';

const snippets = JSON.parse(readFileSync(new URL('../snippets/skene.code-snippets', import.meta.url), 'utf8')) as Record<
  string,
  { prefix: string[]; body: string[]; description: string }
>;

/** `${1:users}` → `users`, `${2}`/`$0` → ``, `\$1` (a literal `$` in the snippet) → `$1`. */
function expand(body: string[]): string {
  let text = body.join('\n');
  for (let i = 0; i < 5; i++) text = text.replace(/\$\{\d+:([^{}]*)\}/g, '$1');
  return text.replace(/\$\{\d+\}|\$\d+(?![\d])/g, (m, offset: number, all: string) => (all[offset - 1] === '\\' ? m : '')).replace(/\\\$/g, '$');
}

describe('snippets', () => {
  before(() => prepareAnalysis());

  for (const [name, snippet] of Object.entries(snippets)) {
    if (!snippet.body[0]!.startsWith('defineLoop(')) continue;
    it(`${name}: expands to a loop with no diagnostics`, () => {
      const text = `import { defineLoop } from '@skene/sdk';\n\nexport default ${expand(snippet.body)};\n`;
      const diagnostics = validate(parseConfigDocument(text), { dialect: 'postgres' });
      assert.deepEqual(
        diagnostics.map((d) => `${d.code} ${d.message}`),
        [],
        text,
      );
    });
  }

  it('every snippet has prefixes starting with skene- and a description', () => {
    for (const [name, s] of Object.entries(snippets)) {
      assert.ok(
        s.prefix.some((p) => p.startsWith('skene-')),
        name,
      );
      assert.ok(s.description.length > 10, name);
    }
  });
});
