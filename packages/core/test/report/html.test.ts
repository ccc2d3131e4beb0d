/**
 * The HTML report (`skene plan --format html`): a page that fetches nothing, whose only markup is
 * its own — every value from the config or the data is escaped, an email's HTML lives only inside
 * a sandboxed frame's srcdoc — masked like every output, with a reason for each step that sends
 * nothing and a cap on frames. The golden page (golden/plan.html) is what a reviewer reads:
 * review its diff; regenerate with UPDATE_GOLDEN=1. The page in a real browser: test/cli/plan-html.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HTML_REPORT_CSP, renderHtml, type PlanReport, type StepReport } from '../../src/report/index.js';
import { email, report } from './fixtures.js';

const GOLDEN = new URL('./golden/plan.html', import.meta.url).pathname;

const HOSTILE_HTML =
  '<!DOCTYPE html><html><head><link rel="stylesheet" href="https://cdn.example/s.css"></head><body>' +
  '<p>Hi "Ada" &amp; co, ada@example.com</p><img src="https://cdn.example/logo.png" alt="logo">' +
  '<script>document.title = "owned"</script></iframe><a href="https://app.example.com/x?u=ada%40example.com">Open</a></body></html>';

/** A report with what a page must survive: markup in every value, a script, and steps that send nothing. */
function hostileReport(recipients: PlanReport['recipients']): PlanReport {
  const r = report(
    [
      email('1', {
        to: 'ada@example.com',
        subject: 'Hi <b>Ada</b> "quoted" \u202eevil & <script>alert(1)</script>',
        html: HOSTILE_HTML,
        text: 'HI ADA\n\n<b>not bold</b> \u001b[31mred\u001b[0m ada@example.com\tend',
        problems: ['missing value: {{user.plan}} in the template is empty'],
      }),
      email('2', { html: undefined, text: undefined, subject: undefined }),
    ],
    { recipients },
  );
  const noOccurrence: StepReport = {
    step: 2,
    trigger: { type: 'schedule', cron: '0 9 * * 1', timezone: 'UTC', occurrences: [] },
    template: 'nudge<img src=x>',
    counts: { events: 0, emails: 0, waiting: 0, skipped: 0, errors: 0 },
    notSent: [],
    emails: [],
    errors: [],
  };
  const allWaiting: StepReport = {
    ...noOccurrence,
    step: 3,
    trigger: { type: 'database', table: 'orders', event: 'insert' },
    counts: { events: 4, emails: 0, waiting: 3, skipped: 1, errors: 0 },
    notSent: [
      { reason: 'waiting: condition not met', count: 3, examples: ['7', '8', '9'] },
      { reason: 'no recipient: <email> is empty', count: 1, examples: ['bob@example.com'] },
    ],
  };
  const failed: StepReport = {
    ...noOccurrence,
    step: 4,
    counts: { events: 0, emails: 0, waiting: 0, skipped: 0, errors: 1 },
    errors: [{ loop: 'welcome', step: 4, kind: 'query', message: 'relation "<users>" does not exist', attempts: 1, location: 'skene.config.ts:9:5' }],
  };
  r.loops[0]!.steps.push(noOccurrence, allWaiting, failed);
  r.warnings.push('the clock is not pinned <use --at>');
  return r;
}

/** The page without its srcdoc attribute values: what the browser parses as the page's own markup. */
function outsideFrames(html: string): string {
  return html.replace(/ srcdoc="[^"]*"/g, ' srcdoc=""');
}

function srcdocs(html: string): string[] {
  return [...html.matchAll(/ srcdoc="([^"]*)"/g)].map((m) =>
    m[1]!.replace(/&(lt|gt|quot|#39|amp);/g, (_, n: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[n]!),
  );
}

test('the golden page: a small plan with hostile values, masked', () => {
  const html = renderHtml(hostileReport('masked'));
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(GOLDEN)) {
    if (process.env.UPDATE_GOLDEN !== '1') assert.fail('missing golden/plan.html: run with UPDATE_GOLDEN=1 to write it, then review it');
    mkdirSync(join(GOLDEN, '..'), { recursive: true });
    writeFileSync(GOLDEN, html);
  }
  assert.equal(html, readFileSync(GOLDEN, 'utf8'), 'differs from golden/plan.html; if intended, UPDATE_GOLDEN=1 and review the diff');
});

test('the page fetches nothing: a strict policy, no script, no external reference of its own', () => {
  const html = renderHtml(hostileReport('shown'));
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${HTML_REPORT_CSP}">`));
  assert.match(HTML_REPORT_CSP, /default-src 'none'/);
  assert.doesNotMatch(HTML_REPORT_CSP, /script-src|https?:/);
  const own = outsideFrames(html);
  assert.doesNotMatch(own, /<script|<link|<img|<object|<embed|@import|url\(/i);
  // Its only links are to its own sections.
  for (const m of own.matchAll(/\b(?:href|src)="([^"]*)"/g)) assert.match(m[1]!, /^#l\d+(-s\d+)?$/, `a reference out of the page: ${m[0]}`);
  // Every frame is sandboxed with nothing allowed, and repeats the policy inside.
  const frames = [...own.matchAll(/<iframe\b[^>]*>/g)].map((m) => m[0]);
  assert.equal(frames.length, 2, 'one email with a body, at two widths');
  for (const f of frames) assert.match(f, /^<iframe sandbox="" /);
  for (const doc of srcdocs(html)) assert.ok(doc.startsWith(`<meta http-equiv="Content-Security-Policy" content="${HTML_REPORT_CSP}"><base target="_blank">`));
});

test("every value is escaped: the page's elements are its own, an email's HTML only in its frame", () => {
  const html = renderHtml(hostileReport('shown'));
  const own = outsideFrames(html);
  const harmless = outsideFrames(renderHtml(report([email('1'), email('2', { html: undefined, text: undefined, subject: undefined })])));
  const tags = (page: string) => new Set([...page.matchAll(/<([a-z][a-z0-9]*)/g)].map((m) => m[1]));
  // Only elements a harmless plan's page has too, plus the extra steps' lists and errors (no <b>, <script>…).
  const allowed = new Set([...tags(harmless), 'ul', 'li', 'strong']);
  for (const tag of tags(own)) assert.ok(allowed.has(tag), `<${tag}> comes from a value`);
  assert.ok(own.includes('Hi &lt;b&gt;Ada&lt;/b&gt; &quot;quoted&quot; \\u202eevil &amp; &lt;script&gt;alert(1)&lt;/script&gt;'), 'the subject, escaped');
  assert.ok(own.includes('&lt;b&gt;not bold&lt;/b&gt; \\x1b[31mred\\x1b[0m ada@example.com\tend'), 'the plain text: escaped, tab kept');
  assert.ok(own.includes('<code>nudge&lt;img src=x&gt;</code>'));
  // The email's HTML, whole, in the frame (after the frame's own head).
  assert.ok(srcdocs(html)[0]!.endsWith(HOSTILE_HTML));
});

test('masked unless --show-recipients: addresses in values, frames and text', () => {
  const masked = renderHtml(hostileReport('masked'));
  for (const doc of [masked, ...srcdocs(masked)]) {
    assert.doesNotMatch(doc, /ada@example\.com|ada%40example\.com|user2@example\.com|bob@example\.com/);
  }
  assert.ok(masked.includes('a***@example.com'));
  assert.ok(masked.includes('Acme &lt;hello@acme.example&gt;'), 'the sender stays visible');
  assert.ok(masked.includes('recipients masked'));
  const shown = renderHtml(hostileReport('shown'));
  assert.ok(shown.includes('<dd>ada@example.com</dd>'));
  assert.ok(srcdocs(shown)[0]!.includes('ada@example.com'));
});

test('a step that sends nothing says why, as the text report does (noEmailReason)', () => {
  const html = renderHtml(hostileReport('shown'));
  assert.ok(html.includes('<p class="notice">No email: the schedule has no occurrence between the plan clock and the horizon</p>'));
  assert.ok(html.includes('<li>waiting: condition not met: 3 (<code>7</code>, <code>8</code>, <code>9</code>)</li>'));
  assert.ok(html.includes('<li>no recipient: &lt;email&gt; is empty: 1 (<code>bob@example.com</code>)</li>'));
  assert.ok(
    html.includes('<p class="notice">No email: every event was held back — waiting: condition not met (3); no recipient: &lt;email&gt; is empty (1)</p>'),
  );
  // The error first, then the reason that points at it.
  assert.match(
    html,
    /<p class="error">✖ skene\.config\.ts:9:5 relation &quot;&lt;users&gt;&quot; does not exist<\/p>\n<p class="notice">No email: the step failed \(its error is above\)<\/p>/,
  );
  const empty = report([]);
  empty.loops[0]!.steps[0]!.notSent = [];
  empty.loops[0]!.steps[0]!.counts = { events: 0, emails: 0, waiting: 0, skipped: 0, errors: 0 };
  assert.ok(renderHtml(empty).includes('<p class="notice">No email: users has no rows</p>'));
  // A step with emails says nothing of the kind.
  assert.doesNotMatch(renderHtml(report([email('1')])), /No email/);
});

test('many emails: frames for the first per step, rows for the next, a count for the rest', () => {
  const many = report(Array.from({ length: 150 }, (_, i) => email(String(i + 1))));
  const html = renderHtml(many);
  assert.equal([...html.matchAll(/<iframe /g)].length, 20, '10 emails at two widths');
  assert.equal([...html.matchAll(/<tr><td>user\d+@example\.com<\/td>/g)].length, 90, 'the next 90 as rows');
  assert.ok(html.includes('90 more emails of this step, listed without frames (the first 10 are shown above):'));
  assert.ok(html.includes('… and 50 more emails of this step not shown here: the JSON report (<code>--format json</code>) lists every email.'));
  const few = renderHtml(many, { framesPerStep: 2, listedPerStep: 150 });
  assert.equal([...few.matchAll(/<iframe /g)].length, 4);
  assert.doesNotMatch(few, /not shown here/);
});

test('a comparison: counts and ids escaped, a changed recipient masked on both sides', () => {
  const r = report([email('1', { to: 'ada@example.com' })], {
    recipients: 'masked',
    comparison: {
      base: 'base <main>.json',
      added: ['welcome/1/<b>new</b>'],
      removed: [],
      changed: [{ id: 'welcome/1/1', fields: ['to'], to: { before: 'ada@example.com', after: 'eve@attacker.test' } }],
      unchanged: 4,
    },
  });
  const html = renderHtml(r);
  assert.ok(html.includes('<h2>Compared with <code>base &lt;main&gt;.json</code></h2>'));
  assert.ok(html.includes('<p>1 added · 0 removed · 1 changed · 4 unchanged</p>'));
  assert.ok(html.includes('<tr><td>added</td><td><code>welcome/1/&lt;b&gt;new&lt;/b&gt;</code></td><td></td></tr>'));
  assert.ok(html.includes('<td>to; to: a***@example.com → e***@attacker.test</td>'));
  assert.doesNotMatch(html, /ada@|eve@/);
});
