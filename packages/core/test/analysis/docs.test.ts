import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CODES, docsUrl, type DiagnosticCode } from '@skene/core';

const docs = readFileSync(new URL('../../../../docs/diagnostics.md', import.meta.url), 'utf8');

test('docs/diagnostics.md has a section for every code, at the anchor docsUrl links to', () => {
  const headings = [...docs.matchAll(/^## (SKN\d{3}) ([a-z-]+)$/gm)].map((m) => ({ code: m[1], name: m[2] }));
  assert.deepEqual(
    headings.map((h) => h.code),
    Object.keys(CODES),
  );
  for (const h of headings) {
    assert.equal(h.name, CODES[h.code as DiagnosticCode].name);
    // GitHub's anchor for "## SKN001 unknown-key" is "#skn001-unknown-key".
    assert.ok(docsUrl(h.code as DiagnosticCode).endsWith(`#${h.code.toLowerCase()}-${h.name}`));
  }
});
