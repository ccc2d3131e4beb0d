/**
 * The Skene extension in a real VS Code (code-server), driven by headless Debian chromium through
 * playwright-core. run.sh installs the .vsix, copies examples/hasura to --workspace and starts
 * code-server on 127.0.0.1:--port; this harness breaks the config, opens the workbench and checks,
 * in order, what a user sees:
 *   1. the extension activates (status bar item) on `workspaceContains:**\/skene.config.ts`;
 *   2. skene's diagnostic for the broken config is in the Problems panel;
 *   3. a quick fix from the server repairs it and the diagnostic goes;
 *   4. Ctrl+Space offers a completion from the skene server, and accepting it edits the file;
 *   5. "Skene: Copy Skene Prompt for Cursor" puts the prompt on the clipboard (read back from the page);
 *   6. "Skene: Plan Loops" shows an email of the example in the webview;
 *   7. "Skene: Restart Language Server" restarts it, and the new server answers (a fresh diagnostic);
 *   8. with the config deleted, "Skene: Create skene.config.ts" writes a starter for the detected stack.
 * Every wait is on an event or a DOM/file condition, with a bounded timeout; screenshots go to --artifacts.
 * Prints a PASS/FAIL summary; exits 1 on failure.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type BrowserContext, type Frame, type Page } from 'playwright-core';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    workspace: { type: 'string' },
    artifacts: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    'vsix-bytes': { type: 'string' },
  },
});
const port = args.port ?? fail('--port');
const ws = args.workspace ?? fail('--workspace');
const artifacts = args.artifacts ?? fail('--artifacts');
const base = `http://127.0.0.1:${port}`;
const CONFIG = join(ws, 'skene.config.ts');
const t0 = Date.now();

function fail(what: string): never {
  console.error(`e2e.ts: missing ${what}`);
  process.exit(2);
}
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const log = (...a: unknown[]) => console.log(`[e2e ${elapsed()}]`, ...a);

// ---- the workspace: the example with a deliberately broken config --------------------------------
const original = readFileSync(CONFIG, 'utf8');
if (!original.includes("backoff: 'exponential'") || !/cron: '0 9 \* \* \*'.*\n/.test(original)) {
  console.error('e2e.ts: the example config changed; update the harness (it breaks `backoff` and completes after `cron`)');
  process.exit(2);
}
const broken = original.replace("backoff: 'exponential'", "backoff: 'exponentail'");
writeFileSync(CONFIG, broken);
mkdirSync(join(ws, '.vscode'), { recursive: true });
writeFileSync(join(ws, '.vscode/settings.json'), `${JSON.stringify({ 'skene.seed': ['seed/postgres'] }, null, 2)}\n`);
const lineOf = (needle: string, text = broken) => {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no line with ${needle}`);
  return { line: i + 1, column: lines[i]!.indexOf(needle) + 1, text: lines[i]! };
};
const typo = lineOf("'exponentail'");
const cron = lineOf("cron: '0 9 * * *'");

// ---- steps and the summary ------------------------------------------------------------------------
const STEPS = [
  'workbench + extension activated',
  'diagnostic in the Problems panel',
  'quick fix removes the diagnostic',
  'completion from the skene server',
  'Copy Skene Prompt for Cursor → clipboard',
  'Plan Loops → email in the webview',
  'Restart Language Server → serving again',
  'Create skene.config.ts → starter for the stack',
] as const;
const results: { name: string; ok: boolean; seconds: number; detail: string }[] = [];
let shots = 0;

async function shot(page: Page, name: string): Promise<string> {
  const file = join(artifacts, `${String(++shots).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file }).catch((e: unknown) => log('screenshot failed', String(e)));
  return file;
}

async function step(page: Page, name: (typeof STEPS)[number], fn: () => Promise<string>): Promise<void> {
  const start = Date.now();
  try {
    const detail = await fn();
    results.push({ name, ok: true, seconds: (Date.now() - start) / 1000, detail });
    log(`✓ ${name}: ${detail}`);
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n').slice(0, 6).join(' | ') : String(error);
    results.push({ name, ok: false, seconds: (Date.now() - start) / 1000, detail });
    log(`✗ ${name}: ${detail}`);
    await shot(page, `FAIL-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`);
    throw error;
  }
}

/** Waits until `probe` returns a value (re-checked on a short interval), or throws after `ms`. */
async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined | null | false>): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      if ((e as { fatal?: boolean }).fatal) throw e;
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000}s waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Runs `attempt` up to `times` times (each bounded by its own waits), calling `reset` between tries. */
async function retrying(what: string, times: number, attempt: () => Promise<void>, reset: () => Promise<void>): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await attempt();
      if (i > 1) log(`${what}: appeared on attempt ${i}`);
      return;
    } catch (error) {
      if (i >= times) throw error;
      log(`${what}: not there yet (attempt ${i}), asking again`);
      await reset();
    }
  }
}

// ---- workbench helpers ----------------------------------------------------------------------------
async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${title}`);
  const row = page.locator(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`).first();
  await row.waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

async function goTo(page: Page, line: number, column: number): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  await until(`the cursor at ${line}:${column}`, 10_000, async () => {
    const status = await page
      .locator('.statusbar-item[id*="status.editor.selection"]')
      .first()
      .innerText()
      .catch(() => '');
    return status.includes(`Ln ${line}, Col ${column}`);
  });
}

async function save(page: Page, expect: (text: string) => boolean, what: string): Promise<string> {
  await page.keyboard.press('Control+S');
  return until(`skene.config.ts saved with ${what}`, 15_000, async () => {
    const text = readFileSync(CONFIG, 'utf8');
    return expect(text) ? text : undefined;
  });
}

const problemRows = (page: Page) => page.locator('.markers-panel .monaco-list-row');
async function problemTexts(page: Page): Promise<string[]> {
  return problemRows(page).evaluateAll((els) => els.map((e) => `${e.textContent ?? ''} | ${e.getAttribute('aria-label') ?? ''}`.replace(/\s+/g, ' ')));
}

/** Every frame (webviews are nested iframes) whose document contains `text`. */
async function framesWith(page: Page, text: string): Promise<Frame[]> {
  const out: Frame[] = [];
  for (const f of page.frames()) {
    const has = await f.evaluate((t) => !!document.body && document.body.innerText.includes(t), text).catch(() => false);
    if (has) out.push(f);
  }
  return out;
}

// ---- the run --------------------------------------------------------------------------------------
async function main(): Promise<boolean> {
  mkdirSync(artifacts, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'skene-e2e-chromium-'));
  const env = { ...process.env, HOME: profile, XDG_CONFIG_HOME: `${profile}/.config`, XDG_CACHE_HOME: `${profile}/.cache` };
  const external: string[] = [];
  const consoleErrors: string[] = [];
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: args.chromium,
      env: env as Record<string, string>,
      headless: true,
      viewport: { width: 1600, height: 1000 },
      timeout: 60_000,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
        '--disable-features=AutofillServerCommunication,OptimizationHints,MediaRouter,Translate',
      ],
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    // Only the loopback server may be reached: record and abort anything else.
    await context.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (['127.0.0.1', 'localhost'].includes(u.hostname) || ['data:', 'blob:'].includes(u.protocol)) return route.continue();
      external.push(route.request().url());
      return route.abort();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));

    await step(page, 'workbench + extension activated', async () => {
      await page.goto(`${base}/?folder=${encodeURIComponent(ws)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      const item = page.locator('.statusbar-item:has-text("Skene:")').first();
      await item.waitFor({ timeout: 90_000 });
      // Open the config (Quick Open) so the server has it.
      await page
        .locator('.monaco-workbench')
        .click({ position: { x: 800, y: 500 } })
        .catch(() => undefined);
      await page.keyboard.press('Control+P');
      await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 15_000 });
      await page.keyboard.type('skene.config.ts');
      await page.locator('.quick-input-list .monaco-list-row[aria-label*="skene.config.ts"]').first().waitFor({ timeout: 15_000 });
      await page.keyboard.press('Enter');
      await page.locator('.tab[aria-label*="skene.config.ts"]').first().waitFor({ timeout: 30_000 });
      await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ timeout: 15_000 });
      const text = await until('the status bar item to count the loop', 60_000, async () => {
        const t = await item.innerText();
        return /1 loop/.test(t) ? t : undefined;
      });
      await shot(page, 'activated');
      return `status bar "${text.replace(/\s+/g, ' ').trim()}"`;
    });

    await step(page, 'diagnostic in the Problems panel', async () => {
      await page.keyboard.press('Control+Shift+M');
      await page.locator('.markers-panel').first().waitFor({ timeout: 15_000 });
      const row = await until('the SKN004 row in the Problems panel', 60_000, async () =>
        (await problemTexts(page)).find((t) => t.includes('exponentail') && t.includes('SKN004')),
      );
      await shot(page, 'problems');
      return row.slice(0, 160);
    });

    await step(page, 'quick fix removes the diagnostic', async () => {
      await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
      await goTo(page, typo.line, typo.column + 1);
      const action = page.locator('.action-widget .monaco-list-row:has-text("exponential")').first();
      // The menu waits for every code action provider (tsserver too, slow under load): ask again if it does not come.
      await retrying(
        'the quick fix menu',
        4,
        async () => {
          await page.keyboard.press('Control+.');
          await action.waitFor({ timeout: 25_000 });
        },
        () => page.keyboard.press('Escape'),
      );
      const title = (await action.innerText()).trim();
      await shot(page, 'quick-fix-menu');
      await action.click();
      await until('the SKN004 row to go', 30_000, async () => !(await problemTexts(page)).some((t) => t.includes('SKN004')));
      await save(page, (t) => t.includes("backoff: 'exponential'"), "backoff: 'exponential'");
      await shot(page, 'quick-fix-applied');
      return `applied "${title}"; SKN004 gone from the Problems panel; file has backoff: 'exponential'`;
    });

    await step(page, 'completion from the skene server', async () => {
      await goTo(page, cron.line, cron.text.length + 1);
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await page.keyboard.type(", timezone: 'Europe/Hel", { delay: 25 });
      const row = page.locator('.suggest-widget .monaco-list-row[aria-label*="Europe/Helsinki"]').first();
      await retrying(
        'the suggestion',
        4,
        async () => {
          await page.keyboard.press('Control+Space');
          await row.waitFor({ timeout: 25_000 });
        },
        () => page.keyboard.press('Escape'),
      );
      const labels = await page.locator('.suggest-widget .monaco-list-row').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
      await shot(page, 'completion');
      await page.keyboard.press('Enter');
      await page
        .locator('.suggest-widget.visible')
        .waitFor({ state: 'hidden', timeout: 10_000 })
        .catch(() => undefined);
      const saved = await save(page, (t) => /timezone: 'Europe\/Helsinki'/.test(t), "timezone: 'Europe/Helsinki'");
      const line = saved
        .split('\n')
        .find((l) => l.includes('timezone'))!
        .trim();
      return `suggestions ${JSON.stringify(labels.slice(0, 4))}; accepted → ${line}`;
    });

    await step(page, 'Copy Skene Prompt for Cursor → clipboard', async () => {
      await page.evaluate(() => navigator.clipboard.writeText('(clipboard before the command)'));
      await runCommand(page, 'Skene: Copy Skene Prompt for Cursor');
      const toast = page.locator('.notifications-toasts .notification-toast:has-text("Copied the Skene prompt")').first();
      await toast.waitFor({ timeout: 60_000 });
      const toastText = (await toast.innerText()).replace(/\s+/g, ' ').trim();
      const clip = await until('the prompt on the clipboard', 15_000, async () => {
        const text = await page.evaluate(() => navigator.clipboard.readText());
        return text.startsWith('@task: Initialize Skene.') ? text : undefined;
      });
      if (!clip.includes('Retention Loop pattern for Hasura')) throw new Error(`the prompt does not name the pattern and stack: ${clip.slice(0, 300)}`);
      writeFileSync(join(artifacts, 'prompt.txt'), clip);
      await shot(page, 'prompt-copied');
      return `notification "${toastText.slice(0, 120)}"; clipboard ${clip.length} chars: "${clip.split('\n')[1]!.slice(0, 140)}…"`;
    });

    await step(page, 'Plan Loops → email in the webview', async () => {
      await page.keyboard.press('Escape');
      await runCommand(page, 'Skene: Plan Loops');
      const frame = await until('the plan webview with an email', 180_000, async () => {
        const failed = (await framesWith(page, 'Skene plan failed'))[0];
        if (failed)
          throw Object.assign(new Error(`the plan failed: ${(await failed.evaluate(() => document.body.innerText)).replace(/\s+/g, ' ')}`), { fatal: true });
        return (await framesWith(page, 'Skene plan:'))[0];
      });
      const heading = (await frame.locator('h1').first().innerText()).trim();
      const subjects = await frame.locator('.subject').allInnerTexts();
      if (!subjects.length) throw new Error(`the plan shows no email: ${heading}`);
      // The rendered email itself, in its sandboxed frame.
      const email = await until('the rendered email in its frame', 30_000, async () => (await framesWith(page, 'it has been a while'))[0]);
      const emailText = (await email.evaluate(() => document.body.innerText)).replace(/\s+/g, ' ').trim();
      await shot(page, 'plan');
      return `"${heading}"; subjects ${JSON.stringify(subjects.slice(0, 3))}; email body "${emailText.slice(0, 100)}…"`;
    });

    await step(page, 'Restart Language Server → serving again', async () => {
      await runCommand(page, 'Skene: Restart Language Server');
      await page.locator('.notifications-toasts .notification-toast:has-text("language server restarted")').first().waitFor({ timeout: 60_000 });
      // The new server checks the config: break it again and see its diagnostic.
      await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
      const fixed = lineOf("backoff: 'exponent", readFileSync(CONFIG, 'utf8'));
      await goTo(page, fixed.line, fixed.text.indexOf("'exponent") + 2);
      await page.keyboard.type('x');
      const row = await until('a diagnostic from the restarted server', 60_000, async () =>
        (await problemTexts(page)).find((t) => t.includes('xexponential') && t.includes('SKN004')),
      );
      await shot(page, 'restarted');
      return `restarted; new diagnostic: ${row.slice(0, 100)}`;
    });

    await step(page, 'Create skene.config.ts → starter for the stack', async () => {
      await save(page, (t) => t.includes("'xexponential'"), 'the last edit');
      rmSync(CONFIG);
      await runCommand(page, 'Skene: Create skene.config.ts');
      const toast = page.locator('.notifications-toasts .notification-toast:has-text("created a")').first();
      await toast.waitFor({ timeout: 90_000 });
      const text = await until('the starter skene.config.ts on disk', 15_000, async () => {
        try {
          const t = readFileSync(CONFIG, 'utf8');
          return /export default define(Loop|Config)\(/.test(t) ? t : undefined;
        } catch {
          return undefined;
        }
      });
      await shot(page, 'created');
      return `${(await toast.innerText()).replace(/\s+/g, ' ').trim().slice(0, 160)}; skene.config.ts starts "${text.split('\n')[0]!.slice(0, 100)}"`;
    });
    return true;
  } catch {
    return false;
  } finally {
    if (external.length) log('external requests blocked:', JSON.stringify(external.slice(0, 10)));
    if (consoleErrors.length) writeFileSync(join(artifacts, 'console-errors.txt'), consoleErrors.join('\n'));
    await context?.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  }
}

void main().then((ok) => {
  console.log('\n==== Skene VS Code e2e (code-server + chromium) ====');
  for (const name of STEPS) {
    const r = results.find((x) => x.name === name);
    console.log(r ? `${r.ok ? 'PASS' : 'FAIL'}  ${name} (${r.seconds.toFixed(1)}s): ${r.detail}` : `SKIP  ${name} (not reached)`);
  }
  console.log(
    `vsix: ${args['vsix-bytes'] ? `${(Number(args['vsix-bytes']) / 1024 / 1024).toFixed(2)} MB` : '?'}; harness time ${elapsed()}; screenshots in ${artifacts}`,
  );
  console.log(ok ? 'E2E PASS' : 'E2E FAIL');
  process.exit(ok ? 0 : 1);
});
