import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentSecurityPolicy, planHtml } from '../src/plan-html.js';
import type { PlanResult } from '../src/plan-model.js';

const CSP_SOURCE = 'https://webview.test';

function plan(html: string): PlanResult {
  return {
    config: 'skene.config.ts',
    at: '2026-03-02T09:00:00.000Z',
    pinned: true,
    source: 'embedded PostgreSQL (PGlite) seeded from seed',
    summary: '',
    count: 3,
    errors: [],
    loops: [
      {
        id: 're-engagement',
        type: 'retention',
        opinion: 'Re-engage <dormant> users',
        count: 3,
        steps: [
          {
            index: 0,
            description: 'schedule 0 9 * * * (UTC) → re_engagement',
            count: 3,
            emails: [{ to: 'ada@example.com', from: 'Acme <hello@acme.dev>', subject: 'Hi "Ada" & co', html, at: '2026-03-02T09:00:00.000Z' }],
            skipped: [{ reason: 'waiting: condition not met', count: 2 }],
            errors: [],
          },
        ],
      },
    ],
  };
}

describe('the Plan Loops webview HTML', () => {
  it('locks the page down: default-src none, no script source, only inline styles and data: images', () => {
    const csp = contentSecurityPolicy(CSP_SOURCE);
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /script-src/);
    assert.match(csp, /img-src https:\/\/webview\.test data:/);
    const html = planHtml(plan('<p>hi</p>'), CSP_SOURCE);
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${csp.replace(/'/g, '&#39;')}">`));
    assert.doesNotMatch(html, /<script/i);
  });

  it('groups emails by loop and step, with counts, and escapes every value', () => {
    const html = planHtml(plan('<p>hi</p>'), CSP_SOURCE);
    assert.match(html, /<h1>Skene plan: 3 emails from 1 loop<\/h1>/);
    assert.match(html, /<h2>re-engagement <small>\(retention\)<\/small> <span class="count" title="emails">3<\/span><\/h2>/);
    assert.match(html, /Step 1: schedule 0 9 \* \* \* \(UTC\) → re_engagement <span class="count" title="emails">3<\/span>/);
    assert.match(html, /waiting: condition not met: <span class="count">2<\/span>/);
    assert.match(html, /Re-engage &lt;dormant&gt; users/);
    assert.match(html, /<strong class="subject">Hi &quot;Ada&quot; &amp; co<\/strong>/);
    assert.match(html, /… and 2 more/);
  });

  it('puts each email in a sandboxed frame whose markup cannot break out, and keeps remote content out', () => {
    const hostile = '<html><body><img src="https://tracker.example/p.gif"><script>alert(1)</script>"></iframe><h1>x</h1></body></html>';
    const html = planHtml(plan(hostile), CSP_SOURCE);
    const frame = /<iframe sandbox="" title="[^"]*" srcdoc="([^"]*)"><\/iframe>/.exec(html);
    assert.ok(frame, 'a sandboxed srcdoc frame');
    assert.ok(!frame[1]!.includes('<') && !frame[1]!.includes('"'), 'the email markup is attribute-escaped');
    assert.equal(html.match(/<iframe/g)?.length, 1);
    assert.equal(html.match(/<script/gi), null);
  });

  it('shows the clock, whether skene.planAt pinned it, and a link to the one command the panel allows', () => {
    const pinned = planHtml(plan('<p>hi</p>'), CSP_SOURCE);
    assert.match(
      pinned,
      /Clock: <strong>2026-03-02T09:00:00\.000Z<\/strong> \(pinned by <code>skene\.planAt<\/code>\) · <a href="command:skene\.setPlanClock">Set Plan Clock<\/a>/,
    );
    const now = planHtml({ ...plan('<p>hi</p>'), pinned: false }, CSP_SOURCE);
    assert.match(now, /\(the current time, not pinned: CI and the README plan at a fixed <code>--at<\/code>\)/);
    assert.equal(now.match(/href="command:/g)?.length, 1);
  });

  it("a step with no email says why, in core's words", () => {
    const base = plan('<p>hi</p>');
    const step = { ...base.loops[0]!.steps[0]!, count: 0, emails: [], noEmail: 'no email: the condition never held (2 rows waiting)' };
    const html = planHtml({ ...base, count: 0, loops: [{ ...base.loops[0]!, count: 0, steps: [step] }] }, CSP_SOURCE);
    assert.match(html, /<p class="empty no-email">No email: the condition never held \(2 rows waiting\)\.<\/p>/);
  });
});
