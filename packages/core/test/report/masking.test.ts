/**
 * Masked mode: no output (text, JSON, Markdown) contains a recipient address or any other address
 * the data holds, in any case, URL-encoded, HTML-escaped or quoted; and comparisons compare the
 * real values, also against a masked base read from disk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  compareReports,
  maskOutput,
  parseBaseReport,
  renderJson,
  renderMarkdown,
  renderText,
  type PlanReport,
  type PlannedEmail,
} from '../../src/report/index.js';
import { report, email } from './fixtures.js';

/** Every way an output may spell `text`: as is, lower-cased, URL-, entity- and backslash-decoded. */
function views(output: string): string[] {
  const entities = (s: string) =>
    s
      .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
      .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const percent = (s: string) => s.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  const backslash = (s: string) => s.replace(/\\(.)/g, '$1');
  const zwsp = (s: string) => s.replace(/\u200b/g, '');
  const all = [output, zwsp(backslash(entities(output))), zwsp(percent(entities(output))), zwsp(backslash(percent(entities(output))))];
  return all.map((s) => s.toLowerCase());
}

function assertNoAddress(output: string, addresses: string[], where: string) {
  for (const view of views(output)) {
    for (const a of addresses) assert.ok(!view.includes(a.toLowerCase()), `${where} contains ${a}`);
  }
}

function jsonStrings(json: string): string {
  const out: string[] = [];
  JSON.parse(json, (key, value: unknown) => {
    out.push(key);
    if (typeof value === 'string') out.push(value);
    return value;
  });
  return out.join('\n');
}

const localChar = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789._+-'".split(''));
const address = fc
  .record({
    local: fc.array(localChar, { minLength: 2, maxLength: 12 }).map((cs) => `x${cs.join('')}`.replace(/\.+$/, '').replace(/\.\./g, '.')),
    domain: fc.constantFrom('example.com', 'attacker.test', 'mail.example.org', 'xn--bcher-kva.example'),
  })
  .map(({ local, domain }) => `${local}@${domain}`);
/** How an address is written into a value: as is, upper-case, URL-encoded, quoted, in angle brackets… */
const spelling = fc.constantFrom<(a: string) => string>(
  (a) => a,
  (a) => a.toUpperCase(),
  (a) => encodeURIComponent(a),
  (a) => `"${a}"`,
  (a) => `'${a}'`,
  (a) => `Name <${a}>`,
  (a) => `mailto:${a}?subject=hi`,
  (a) => `https://app.example.com/u?email=${encodeURIComponent(a).toUpperCase()}`,
  (a) => `"${a.split('@')[0]} x"@${a.split('@')[1]}`,
  (a) => `line one\n${a}\r\nline three`,
  (a) => `${a},${a.replace(/^x/, 'y')}`,
);
const FIELDS = ['to', 'subject', 'prop', 'html', 'text', 'problem', 'reason', 'example', 'key', 'warning', 'error', 'opinion'] as const;

function inject(field: (typeof FIELDS)[number], value: string, plain: string): PlanReport {
  const e: PlannedEmail = email('1');
  const r = report([e]);
  const step = r.loops[0]!.steps[0]!;
  switch (field) {
    case 'to':
      e.to = plain; // a recipient is a plain address (the plan refuses others)
      break;
    case 'subject':
      e.subject = `Hi ${value}`;
      break;
    case 'prop':
      e.props.note = value;
      break;
    case 'html':
      e.html = `<p>${value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&#x27;').replace(/"/g, '&quot;')}</p><a href="mailto:${encodeURIComponent(plain)}">x</a>`;
      break;
    case 'text':
      e.text = `Hello\n${value}`;
      break;
    case 'problem':
      e.problems.push(`missing value: ${value}`);
      break;
    case 'reason':
      step.notSent.push({ reason: `not an email address: to ({{user.email}}) gives "${value}"`, count: 1, examples: ['7'] });
      break;
    case 'example':
    case 'key':
      step.notSent.push({ reason: 'no recipient', count: 1, examples: [plain] });
      e.key = plain;
      e.id = `welcome/1/${plain}`;
      break;
    case 'warning':
      r.warnings.push(`a warning about ${value}`);
      break;
    case 'error':
      step.errors.push({ loop: 'welcome', step: 1, kind: 'query', message: `duplicate key (email)=(${value})`, attempts: 1 });
      break;
    case 'opinion':
      r.loops[0]!.opinion = `Welcome ${value}`;
      break;
  }
  return { ...r, recipients: 'masked' };
}

test('property: an address put in any field, spelt any way, is in no masked output', () => {
  fc.assert(
    fc.property(address, spelling, fc.constantFrom(...FIELDS), (plain, spell, field) => {
      const r = inject(field, spell(plain), plain);
      const secrets = [plain, plain.replace(/^x/, 'y')];
      assertNoAddress(renderText(r), secrets, 'text');
      assertNoAddress(renderMarkdown(r), secrets, 'markdown');
      assertNoAddress(renderMarkdown(r, { limit: 1024 * 1024, unit: 'bytes' }), secrets, 'summary');
      const json = renderJson(r);
      assertNoAddress(json, secrets, 'json');
      assertNoAddress(jsonStrings(json), secrets, 'json strings');
    }),
    { numRuns: 400 },
  );
});

test('masking: case variants, URL-encoded and quoted local parts, not-sent reasons, ids and keys', () => {
  const e = email('1', { to: 'Noor.Rahman@Example.com', id: 'welcome/1/noor.rahman@example.com', key: 'noor.rahman@example.com' });
  e.html = '<a href="https://app.example.com/unsub?e=noor.rahman%40example.com">NOOR.RAHMAN@EXAMPLE.COM</a> o&#x27;brien@example.com';
  const r: PlanReport = { ...report([e]), recipients: 'masked' };
  r.loops[0]!.steps[0]!.notSent.push({
    reason: 'not an email address: to ({{user.emails}}) gives "two@example.com, three@example.com"',
    count: 1,
    examples: ["o'brien@example.com"],
  });
  const json = renderJson(r);
  const masked = JSON.parse(json) as PlanReport;
  const m = masked.loops[0]!.steps[0]!;
  assert.equal(m.emails[0]!.id, 'welcome/1/n***@example.com', 'the id keeps its loop and step');
  assert.equal(m.emails[0]!.key, 'n***@example.com');
  assert.equal(m.emails[0]!.html, '<a href="https://app.example.com/unsub?e=n***%40example.com">N***@EXAMPLE.COM</a> o***@example.com');
  assert.equal(m.notSent[1]!.reason, 'not an email address: to ({{user.emails}}) gives "t***@example.com, t***@example.com"');
  assert.deepEqual(m.notSent[1]!.examples, ['o***@example.com'], "o'brien is masked whole, not to o'b***");
  assert.equal(m.emails[0]!.from, 'Acme <hello@acme.example>', "senders (the config's own addresses) stay visible");
  const text = renderText(r);
  assert.match(text, /gives "t\*\*\*@example\.com, t\*\*\*@example\.com"/);
  assert.match(text, /\(o\*\*\*@example\.com\)/);
  // One function: masking a masked output again changes nothing.
  assert.equal(maskOutput(text, r), text);
  assert.equal(maskOutput(renderMarkdown(r), r), renderMarkdown(r));
});

test('shown recipients are not masked', () => {
  const r = report([email('1')]);
  assert.match(renderText(r), /user1@example\.com/);
  assert.match(renderJson(r), /"to": "user1@example\.com"/);
});

/** The pull request of the issue: every email redirected to `{{user.alt_email}}`. */
function redirected(base: PlanReport): PlanReport {
  const r = structuredClone(base);
  for (const e of r.loops[0]!.steps[0]!.emails) e.to = e.to.replace('@example.com', '@attacker.test');
  return r;
}

test('compare: a redirected recipient is "changed", masked on both sides — never unchanged', () => {
  const base = report([email('1'), email('2'), email('3')]);
  const head = { ...redirected(base), recipients: 'masked' as const };
  const cmp = compareReports(head, base, 'base.json');
  assert.equal(cmp.unchanged, 0);
  assert.deepEqual(
    cmp.changed.map((c) => c.fields),
    [['to'], ['to'], ['to']],
  );
  assert.deepEqual(cmp.changed[0]!.to, { before: 'user1@example.com', after: 'user1@attacker.test' });
  const text = renderText({ ...head, comparison: cmp });
  assert.match(text, /~1 changed|~3 changed/);
  assert.match(text, /~ welcome\/1\/1 \(to\) to: u\*\*\*@example\.com → u\*\*\*@attacker\.test/);
  assert.doesNotMatch(text, /user1@/);
  const md = renderMarkdown({ ...head, comparison: cmp });
  assert.match(md, /0 added, 0 removed, 3 changed, 0 unchanged/);
  assert.match(md, /\| ✏️ changed \| `welcome\/1\/1` \| to; to: u\\\*\\\*\\\*\\@example\.com → u\\\*\\\*\\\*\\@attacker\.test \|/);
});

test('compare with a masked base from disk: digests see a recipient change the masks hide', () => {
  const base = report([email('1'), email('2'), email('3')]);
  const onDisk = parseBaseReport(renderJson({ ...base, recipients: 'masked' }), 'base.json');
  assert.equal(onDisk.loops[0]!.steps[0]!.emails[0]!.to, 'u***@example.com');
  assert.ok(onDisk.loops[0]!.steps[0]!.emails[0]!.digests, 'masked JSON keeps digests');
  assert.ok(!JSON.stringify(onDisk).includes('user1@example.com'));
  // Same plan: all unchanged.
  assert.deepEqual(compareReports(base, onDisk, 'b'), { base: 'b', added: [], removed: [], changed: [], unchanged: 3 });
  // Same masks, other people: `user1@example.com` → `u.ser1@example.com` both show as u***@example.com.
  const swapped = structuredClone(base);
  swapped.loops[0]!.steps[0]!.emails[0]!.to = 'u.ser1@example.com';
  const cmp = compareReports(swapped, onDisk, 'b');
  assert.deepEqual(
    cmp.changed.map((c) => [c.id, c.fields]),
    [['welcome/1/1', ['to']]],
  );
  assert.equal(cmp.unchanged, 2);
  // Keys that are addresses (masked ids collide): matched by the id's digest, not the masked id.
  const byAddress = report([
    email('a', { id: 'w/1/ann@example.com', key: 'ann@example.com', to: 'ann@example.com' }),
    email('b', { id: 'w/1/abe@example.com', key: 'abe@example.com', to: 'abe@example.com' }),
  ]);
  const disk2 = parseBaseReport(renderJson({ ...byAddress, recipients: 'masked' }), 'b');
  assert.deepEqual(compareReports(byAddress, disk2, 'b').unchanged, 2);
  const abeGone = report([byAddress.loops[0]!.steps[0]!.emails[0]!]);
  assert.deepEqual(compareReports(abeGone, disk2, 'b').removed, ['w/1/a***@example.com']);
});
