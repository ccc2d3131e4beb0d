/**
 * Markdown, terminal and UTF-8 safety. The Markdown is rendered with a CommonMark + GFM renderer
 * (markdown-it: raw HTML on, tables, strikethrough, and autolink literals as GFM has them) and
 * the HTML must have exactly the elements the same report with harmless values has: no value
 * adds a heading, link, image or any other element, ends the <summary>, or pings anyone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { renderMarkdown, renderText, type PlanReport } from '../../src/report/index.js';
import { email, report } from './fixtures.js';

const md = new MarkdownIt({ html: true, linkify: true });
// GFM's autolink literals: scheme URLs, `www.` and addresses (not bare domains).
md.linkify.set({ fuzzyLink: false, fuzzyEmail: true });
md.linkify.add('www.', {
  validate: (text, pos) => /^[a-z0-9-]+(\.[a-z0-9-]+)+/i.exec(text.slice(pos))?.[0].length ?? 0,
  normalize: (match) => {
    match.url = `http://${match.url}`;
  },
});

/** The element sequence of the rendered HTML: what the Markdown's structure is. */
function elements(markdown: string): string[] {
  return [...md.render(markdown).matchAll(/<(\/?[a-zA-Z][\w-]*)/g)].map((m) => m[1]!.toLowerCase());
}

const HOSTILE = [
  'Hi\n\n# Injected heading\n\n[click](https://evil.example/) <img src=x onerror=alert(1)>',
  'x</summary></details>\r\n\r\n## Owned\r\n\r\n<details><summary>',
  '@everyone and @octocat and @acme/security please look',
  '**bold** _em_ ~~strike~~ `code` <b>raw</b> &lt;entity&gt; ![img](x.png)',
  '| a | b |\n|---|---|\n| c | d |',
  '1. ordered\n- bullet\n> quote\n---\n```\nfence\n```',
  'https://evil.example/path www.evil.example contact@evil.example',
  'nul\u0000bell\u0007esc\u001b[31mred\u001b[0m del\u007f c1\u009b bidi\u202eevil',
  '- dash start',
  '# hash start',
  '    indented code',
  '<!-- comment --> <script>alert(1)</script>',
  '\\`escaped\\` \\\\ backslashes \\',
];

/** A report whose every data field holds `value` (the same shape for every value). */
function withValues(value: (i: number) => string): PlanReport {
  const e = email('1', {
    subject: value(1),
    props: { name: value(2) },
    problems: [`missing value: ${value(3)}`],
    text: `Hello\n${value(4)}`,
    to: 'user1@example.com',
  });
  const r = report([e]);
  const loop = r.loops[0]!;
  loop.opinion = value(5);
  const step = loop.steps[0]!;
  step.notSent = [{ reason: value(6), count: 1, examples: ['k'] }];
  step.errors = [{ loop: 'welcome', step: 1, kind: 'query', message: value(7), attempts: 1 }];
  step.trigger = { type: 'database', table: value(8), event: 'insert' };
  r.warnings = [value(9)];
  r.source = { ...r.source, label: value(10) };
  return r;
}

test('Markdown: no value adds an element, ends the <summary> block or survives as a mention', () => {
  const benign = elements(renderMarkdown(withValues((i) => `value${i}`)));
  assert.ok(benign.includes('summary') && benign.includes('table'), 'the benign rendering has its structure');
  for (const hostile of HOSTILE) {
    for (const recipients of ['shown', 'masked'] as const) {
      const r = { ...withValues(() => hostile), recipients };
      const out = renderMarkdown(r);
      assert.deepEqual(elements(out), benign, `a value changed the structure: ${JSON.stringify(hostile)} (${recipients})\n${out}`);
      // GitHub's mention pattern, on the text a reader sees (outside code).
      const textOnly = md
        .render(out)
        .replace(/<(pre|code)[^>]*>[\s\S]*?<\/\1>/g, '')
        .replace(/<[^>]+>/g, ' ')
        .replace(/&#8203;|\u200b/g, '\u200b');
      assert.doesNotMatch(textOnly, /(?:^|[^A-Za-z0-9_])@(?:everyone|octocat|acme)\b/, 'a live mention');
      assert.doesNotMatch(out, /[\u0000\u0007\u001b\u007f\u009b\u202e]/, 'a raw control character');
    }
  }
});

test('Markdown: the summary line stays one line; CR, LF and U+2028 cannot end it', () => {
  const out = renderMarkdown(report([email('1', { subject: 'a\r\nb\rc\nd\u2028e' })]));
  const line = out.split('\n').find((l) => l.startsWith('<details><summary>'))!;
  assert.ok(line.endsWith('</summary>'), line);
});

test('Markdown: code spans hold any backtick run; names keep their underscores', () => {
  const r = report([email('1', { id: 'welcome/1/a``b`c' })]);
  r.loops[0]!.steps[0]!.template = 're_engagement|x';
  const out = renderMarkdown(r);
  assert.ok(out.includes('| `re_engagement\\|x` |'), 'pipe escaped in the table, underscore kept');
  assert.ok(out.includes('**Id:** ```welcome/1/a``b`c```'));
  assert.match(md.render(out), /<code>welcome\/1\/a``b`c<\/code>/);
});

test('text: ANSI escapes and other control characters in data are shown escaped', () => {
  const r = report([email('1', { subject: 'Hi \u001b[2J\u001b]0;pwned\u0007 there\r\nfake line' })]);
  r.loops[0]!.opinion = 'bidi \u202etxt.exe';
  const plain = renderText(r);
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/.test(plain), JSON.stringify(plain));
  assert.match(plain, /"Hi \\x1b\[2J\\x1b\]0;pwned\\x07 there\\r\\nfake line"/);
  assert.match(plain, /bidi \\u202etxt\.exe/);
  // Our own colours are still there when asked.
  assert.ok(renderText(r, { color: true }).includes('\x1b[32m'));
});

test('UTF-8: a subject cut inside an emoji is well-formed in every output', () => {
  const cut = 'Hi 👋 there'.slice(0, 4); // ends with a lone high surrogate
  const r = report([email('1', { subject: cut, text: `body ${cut}` })]);
  for (const out of [renderText(r), renderMarkdown(r)]) {
    assert.ok(isWellFormed(out), 'well-formed');
    assert.ok(out.includes('Hi \ufffd'));
  }
  // A plan too big for the limit is cut by code point, never inside a pair.
  const many = Array.from({ length: 300 }, (_, i) => email(String(i), { text: '👋'.repeat(200) }));
  const big = renderMarkdown(report(many), { limit: 30_001 });
  assert.ok(isWellFormed(big), 'well-formed');
  assert.ok(big.length <= 30_001);
});

test('Markdown: a table too long for the limit says how many steps (and emails) it left out', () => {
  const r = report([email('1')]);
  const step = r.loops[0]!.steps[0]!;
  r.loops = Array.from({ length: 3000 }, (_, i) => ({ ...r.loops[0]!, id: `loop-number-${i}`, steps: [{ ...step, emails: [] }] }));
  r.totals = { ...r.totals, loops: 3000, steps: 3000, emails: 0 };
  const out = renderMarkdown(r);
  assert.ok(out.length <= 65_536);
  const shown = out.match(/^\| `loop-number-\d+` \|/gm)!.length;
  assert.ok(shown > 100 && shown < 3000, `${shown} rows`);
  assert.match(
    out,
    new RegExp(
      `Showing ${shown} of 3000 steps in the table, 0 of 0 emails: the rest do not fit GitHub's 65,536-character limit\\. The JSON report \\(\`--format json\`\\) has everything\\.`,
    ),
  );
});

/** No lone surrogate (what String.prototype.isWellFormed says, on any lib target). */
function isWellFormed(text: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}
