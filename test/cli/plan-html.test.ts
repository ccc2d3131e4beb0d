/**
 * `skene plan --format html --out plan.html` (the built CLI), opened in headless Chromium as a
 * reviewer opens the CI artifact: each email is shown in its frames at desktop and mobile width
 * beside its plain text, a <script> in an email does not run, and the page makes no request —
 * not the email's image, stylesheet, script or background, all pointed at a local server that
 * counts what reaches it. The screenshot is kept (test-artifacts/plan-html/, path in the test's
 * diagnostics). Needs /usr/bin/chromium (or SKENE_CHROMIUM): skipped visibly without it, failed
 * under SKENE_REQUIRE_SERVICES=1 (CI installs it with extension/test/e2e/ci-setup.sh).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request } from 'playwright-core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { main } from '../../packages/cli/src/main.js';
import { ROOT, skene } from '../helpers/cli.js';

const CHROMIUM = process.env.SKENE_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts', 'plan-html');

const CONFIG = `import { defineLoop } from '@skene/sdk';
export default defineLoop({ id: 'welcome', type: 'activation', opinion: 'Welcome new users', steps: [
  { trigger: { type: 'database', table: 'users', event: 'insert' },
    action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } } },
  { trigger: { type: 'database', table: 'users', event: 'insert' },
    condition: { type: 'query', query: "SELECT 1 FROM users WHERE id = $1 AND name = 'nobody'" },
    action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } } },
] });
`;
const SEED = `CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL);
INSERT INTO users VALUES (1, 'ada@example.com', 'Ada'), (2, 'bob@example.com', 'Bob');`;

/** An email that tries everything a page must not do when opened: run a script, fetch, connect, navigate. */
function template(origin: string): string {
  return `<!DOCTYPE html><html><head><title>Hi {{name}}</title><link rel="stylesheet" href="${origin}/style.css">
<link rel="preconnect" href="${origin}"><link rel="prefetch" href="${origin}/prefetch"><link rel="preload" as="image" href="${origin}/preload.png">
<link rel="dns-prefetch" href="${origin}"><meta http-equiv="refresh" content="0; url=${origin}/refresh"></head>
<body style="font-family: sans-serif"><h1 id="greeting" style="color: #6b21a8">Hi {{name}}</h1>
<p>Your account is ready. <img src="${origin}/pixel.png" width="1" height="1" alt=""></p>
<div style="background: url(${origin}/background.png); padding: 8px">Get started in three steps.</div>
<script>document.title = 'script ran'; document.body.setAttribute('data-ran', 'yes');</script>
<script src="${origin}/script.js"></script>
<a href="${origin}/click">Open your dashboard</a></body></html>`;
}

/** The server every reference in the email points at: it must see no request. */
async function witness(): Promise<{ origin: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('');
  });
  // A connection without a request (a preconnect) reaches the network too.
  server.on('connection', () => hits.push('(connection)'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** playwright-core and a Chromium to drive, or a visible skip (a failure under SKENE_REQUIRE_SERVICES=1). */
async function chromiumOrSkip(t: TestContext) {
  let reason: string | undefined;
  if (!existsSync(CHROMIUM)) reason = `no Chromium at ${CHROMIUM} (install it with extension/test/e2e/ci-setup.sh, or set SKENE_CHROMIUM)`;
  const playwright = reason ? undefined : await import('playwright-core').catch(() => undefined);
  if (!reason && !playwright) reason = 'playwright-core is not installed (npm ci)';
  if (playwright && !reason) return playwright.chromium;
  if (process.env.SKENE_REQUIRE_SERVICES === '1') throw new Error(`${reason} (SKENE_REQUIRE_SERVICES=1)`);
  t.skip(`SKIPPED: ${reason}`);
  return undefined;
}

test('skene plan --format html: the page in Chromium shows every email, runs no email script, fetches nothing', async (t) => {
  const chromium = await chromiumOrSkip(t);
  if (!chromium) return;
  const server = await witness();
  t.after(() => server.close());
  const dir = mkdtempSync(join(tmpdir(), 'skene-plan-html-'));
  mkdirSync(join(dir, 'emails'));
  writeFileSync(join(dir, 'emails', 'welcome.html'), template(server.origin));
  writeFileSync(join(dir, 'seed.sql'), SEED);
  writeFileSync(join(dir, 'skene.config.ts'), CONFIG);

  const r = skene(['plan', '--seed', 'seed.sql', '--at', '2026-03-02T09:00:00Z', '--format', 'html', '--out', 'plan.html'], {
    cwd: dir,
    env: { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' },
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '2 emails would be sent, 2 waiting, 0 errors — report written to plan.html\n');
  const file = join(dir, 'plan.html');
  assert.doesNotMatch(readFileSync(file, 'utf8'), /ada@example\.com|bob@example\.com/, 'recipients masked');

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const requests: Request[] = [];
  page.on('request', (request) => void requests.push(request));

  const url = pathToFileURL(file).href;
  await page.goto(url, { waitUntil: 'load' });
  // The whole page in the viewport: every (lazy) frame loads and is painted in the screenshot.
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: 1440, height });

  assert.equal(await page.title(), 'Skene plan: 2 emails would be sent');
  const frames = page.locator('iframe');
  assert.equal(await frames.count(), 4, 'two emails, each at two widths');
  assert.deepEqual(await frames.evaluateAll((els) => els.map((el) => [el.getAttribute('sandbox'), el.getAttribute('width')])), [
    ['', '640'],
    ['', '375'],
    ['', '640'],
    ['', '375'],
  ]);
  for (let i = 0; i < 4; i++) {
    const frame = page.frameLocator('iframe').nth(i);
    // The email rendered (so the checks below are about a document that loaded)…
    assert.match(await frame.locator('#greeting').innerText(), /^Hi (Ada|Bob)$/);
    // …and its script did not run: neither its title nor its body changed.
    assert.equal(await frame.locator('body').getAttribute('data-ran'), null, `frame ${i}: the email's script ran`);
    assert.equal(await frame.locator('title').textContent(), `Hi ${i < 2 ? 'Ada' : 'Bob'}`);
  }
  assert.match(await page.locator('.text pre').first().innerText(), /HI ADA|Hi Ada/);
  assert.equal(await page.locator('#l1-s2 .notice').innerText(), 'No email: the condition never held (2 rows waiting)');

  mkdirSync(ARTIFACTS, { recursive: true });
  const screenshot = join(ARTIFACTS, 'plan.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  t.diagnostic(`screenshot: ${screenshot}`);

  // No request but the page's own. Chromium reports some resources (a CSS background) as requests
  // before its policy check; each of those must have been blocked by the policy, never sent.
  assert.equal(requests[0]?.url(), url);
  for (const request of requests.slice(1)) {
    assert.equal(await request.response(), null, `${request.url()} was answered`);
    assert.equal(request.failure()?.errorText, 'csp', `${request.url()} was not blocked by the page's policy`);
  }
  assert.deepEqual(server.hits, [], 'nothing reached the network');
  t.diagnostic(`requests: the page, and ${requests.length - 1} blocked by its policy before they were sent`);
});

test('a control: the same email outside the sandbox and the policy does run its script', async (t) => {
  // Without this, "the script did not run" could pass because the check cannot see a script run.
  const chromium = await chromiumOrSkip(t);
  if (!chromium) return;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const email = template('http://127.0.0.1:9').replace(/<meta http-equiv="refresh"[^>]*>/, ''); // stays on the page
  await page.setContent(`<iframe srcdoc="${email.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"></iframe>`);
  const frame = page.frameLocator('iframe');
  await frame.locator('#greeting').waitFor();
  assert.equal(await frame.locator('body').getAttribute('data-ran'), 'yes');
});

test('--format html on a terminal asks for --out (exit 2); piped, the page goes to standard output', async () => {
  let stderr = '';
  const code = await main(['plan', '--config', 'examples/upstash/skene.config.ts', '--format', 'html'], {
    stdout: () => {},
    stderr: (s) => void (stderr += s),
    cwd: ROOT,
    env: {},
    isTTY: true,
  });
  assert.equal(code, 2);
  assert.match(stderr.split('\n')[0]!, /^skene plan: --format html writes a page: add --out plan\.html \(or redirect standard output to a file\)$/);
  const piped = skene(
    ['plan', '--config', 'examples/upstash/skene.config.ts', '--seed', 'examples/upstash/seed', '--at', '2026-03-02T09:00:00Z', '--format', 'html'],
    {
      env: { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' },
      timeout: 120_000,
    },
  );
  assert.equal(piped.status, 0, piped.stderr);
  assert.ok(piped.stdout.startsWith('<!DOCTYPE html>'));
  assert.match(piped.stdout, /<iframe sandbox="" /);
});
