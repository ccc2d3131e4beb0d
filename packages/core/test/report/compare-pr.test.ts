/**
 * The pull request of the issue, planned for real (examples/hasura on the embedded PostgreSQL):
 * it redirects every email to `{{user.alt_email}}`. Compared with the base — planned with real
 * recipients (the Action's compare-base) or read back from a masked JSON report (`--compare`
 * with an artifact) — every email is "changed" in `to`, shown masked on both sides; none is
 * "unchanged".
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planProject } from '../../src/plan/index.js';
import { parseBaseReport, renderJson, renderMarkdown, renderText } from '../../src/report/index.js';

const ROOT = new URL('../../../..', import.meta.url).pathname;
const AT = new Date('2026-03-02T09:00:00Z');
const ENV = { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' };
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'skene-compare-pr-'));
  cpSync(join(ROOT, 'examples', 'hasura'), dir, { recursive: true, filter: (src) => !src.includes('node_modules') });
  // The pull request: a column of other addresses, and every email sent there.
  writeFileSync(
    join(dir, 'seed/postgres/003_alt_email.sql'),
    "ALTER TABLE users ADD COLUMN alt_email text;\nUPDATE users SET alt_email = split_part(email, '@', 1) || '@attacker.test';\n",
  );
  const config = readFileSync(join(dir, 'skene.config.ts'), 'utf8');
  writeFileSync(join(dir, 'base.config.ts'), config);
  writeFileSync(join(dir, 'skene.config.ts'), config.replace("template: 're_engagement',", "template: 're_engagement',\n        to: '{{user.alt_email}}',"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function plan(configFile: string, extra: Partial<Parameters<typeof planProject>[0]> = {}) {
  return planProject({ configFile: join(dir, configFile), seeds: ['seed/postgres'], cwd: dir, at: AT, env: ENV, ...extra });
}

test('redirecting every email to {{user.alt_email}}: 3 changed, 0 unchanged, masked on both sides', async () => {
  const base = (await plan('base.config.ts', { showRecipients: true })).report;
  assert.equal(base.totals.emails, 3);
  const masked = parseBaseReport(renderJson({ ...base, recipients: 'masked' }), 'base.json');
  for (const [label, baseReport] of [
    ['compare-base', base],
    ['masked artifact', masked],
  ] as const) {
    const { report } = await plan('skene.config.ts', { base: { report: baseReport, label } });
    const cmp = report.comparison!;
    assert.deepEqual([cmp.added.length, cmp.removed.length, cmp.changed.length, cmp.unchanged], [0, 0, 3, 0], label);
    assert.ok(
      cmp.changed.every((c) => c.fields.includes('to')),
      label,
    );
    const md = renderMarkdown(report);
    assert.match(md, /\*\*Compared with `[^`]+`:\*\* 0 added, 0 removed, 3 changed, 0 unchanged/);
    assert.match(md, /to: n\\\*\\\*\\\*\\@example\.com → n\\\*\\\*\\\*\\@attacker\.test/, `${label}: Noor's redirect, masked on both sides`);
    const text = renderText(report);
    assert.match(text, /~3 changed, 0 unchanged/);
    assert.match(text, /to: n\*\*\*@example\.com → n\*\*\*@attacker\.test/);
    for (const out of [md, text, renderJson(report)]) assert.doesNotMatch(out, /[a-z]{2,}@(?:attacker\.test|example\.com)/i);
  }
});
