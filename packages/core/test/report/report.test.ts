import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareReports,
  GITHUB_COMMENT_LIMIT,
  maskAddress,
  maskRecipients,
  parseBaseReport,
  renderJson,
  renderMarkdown,
  renderText,
} from '../../src/report/index.js';
import { email, report } from './fixtures.js';

test('recipients are masked everywhere they appear, other addresses are not', () => {
  assert.equal(maskAddress('jane@example.com'), 'j***@example.com');
  assert.equal(maskAddress('Jane Doe <jane@example.com>'), 'Jane Doe <j***@example.com>');
  const masked = maskRecipients(report([email('1')]));
  const e = masked.loops[0]!.steps[0]!.emails[0]!;
  assert.equal(masked.recipients, 'masked');
  assert.equal(e.to, 'u***@example.com');
  assert.equal(e.subject, 'Welcome, u***@example.com');
  assert.deepEqual(e.props, { name: 'User 1', email: 'u***@example.com' });
  assert.equal(e.html, '<p>Hi User 1 (u***@example.com)</p>');
  assert.equal(e.from, 'Acme <hello@acme.example>');
  assert.ok(!renderJson(masked).includes('user1@example.com'));
});

test('JSON is the same bytes for the same report, and ends with a newline', () => {
  assert.equal(renderJson(report([email('1'), email('2')])), renderJson(report([email('1'), email('2')])));
  assert.ok(renderJson(report([])).endsWith('}\n'));
});

test('compare: added, removed and changed emails by id, with the fields that changed', () => {
  const base = report([email('1'), email('2'), email('3')]);
  const current = report([email('1'), email('2', { subject: 'New subject', text: 'New body' }), email('4')]);
  assert.deepEqual(compareReports(current, base, 'base.json'), {
    base: 'base.json',
    added: ['welcome/1/4'],
    removed: ['welcome/1/3'],
    changed: [{ id: 'welcome/1/2', fields: ['subject', 'body'] }],
    unchanged: 1,
  });
});

test('a base that is not a plan report is refused with a clear message', () => {
  assert.throws(() => parseBaseReport('{nope', 'base.json'), /^Error: base\.json is not JSON/);
  assert.throws(() => parseBaseReport('{"loops": []}', 'base.json'), /base\.json is not a Skene plan report/);
  assert.throws(() => parseBaseReport(JSON.stringify({ ...report([]), version: 9 }), 'base.json'), /version 9; this skene reads version 1/);
  assert.equal(parseBaseReport(renderJson(report([email('1')])), 'b').loops.length, 1);
});

test('text: counts first; colours only when asked', () => {
  const plain = renderText(report([email('1')]));
  assert.match(plain.split('\n')[0]!, /^1 email would be sent · 2 waiting · 0 not sent · 0 errors — 1 loop, 1 step$/);
  assert.match(plain, /waiting: condition not met: 2 \(8, 9\)/);
  assert.ok(!plain.includes('\x1b['));
  assert.ok(renderText(report([email('1')]), { color: true }).includes('\x1b[32m'));
  const unpinned = renderText(report([], { clock: { at: '2026-03-02T09:00:00.000Z', pinned: false, horizon: '1d' }, warnings: ['clock not pinned: …'] }));
  assert.match(unpinned, /\(clock not pinned\)/);
});

test('Markdown: emails in collapsed blocks; a plan too long for a comment is cut, and says so', () => {
  const small = renderMarkdown(report([email('1'), email('2')]));
  assert.equal(small.match(/<details><summary>/g)?.length, 2);
  assert.ok(!small.includes('[!NOTE]'));

  const many = Array.from({ length: 400 }, (_, i) => email(String(i + 1), { text: 'x'.repeat(400) }));
  const md = renderMarkdown(report(many));
  assert.ok(md.length <= GITHUB_COMMENT_LIMIT, `${md.length} characters`);
  const shown = md.match(/<details><summary>/g)!.length;
  assert.ok(shown > 10 && shown < 400);
  assert.ok(md.includes(`> Showing ${shown} of 400 emails: the rest do not fit GitHub's 65,536-character limit`));
  assert.ok(md.trimEnd().endsWith('has every email.'), 'the cut is at a block boundary, with the notice last');

  // A job summary counts bytes: multi-byte text fills it sooner.
  const wide = Array.from({ length: 50 }, (_, i) => email(String(i + 1), { text: 'ä'.repeat(300) }));
  const bytes = renderMarkdown(report(wide), { limit: 20_000, unit: 'bytes' });
  assert.ok(Buffer.byteLength(bytes) <= 20_000);
  assert.match(bytes, /20,000-byte limit/);
});

test('Markdown: an email body cannot break out of its code block', () => {
  const md = renderMarkdown(report([email('1', { text: 'a ``` fence and ```` more' })]));
  assert.ok(md.includes('`````text\na ``` fence and ```` more\n`````'));
});

test('Markdown: names in code spans are not backslash-escaped (GitHub shows code literally)', () => {
  const md = renderMarkdown(report([email('1', { template: 'activation_welcome' })], { loops: [] }));
  const r = report([email('1')]);
  r.loops[0]!.steps[0]!.template = 're_engagement|x';
  const table = renderMarkdown(r);
  assert.ok(table.includes('| `re_engagement\\|x` |'), 'underscore kept, pipe escaped for the table');
  assert.ok(!md.includes('\\_'));
});
