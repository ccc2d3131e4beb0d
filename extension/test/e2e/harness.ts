/**
 * The e2e harness's shared parts: the arguments run.sh passes, the step runner and its results,
 * bounded waits, and the workbench gestures every step uses (the F1 palette, Go to Line, Quick
 * Open, save, the Problems panel, the webview frames). Every wait is on an event or a DOM/file
 * condition with a bounded timeout, never a fixed sleep.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Frame, Page } from 'playwright-core';
import { STEPS } from './step-names.js';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    workspace: { type: 'string' },
    artifacts: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    'vsix-bytes': { type: 'string' },
  },
});

function fail(what: string): never {
  console.error(`e2e.ts: missing ${what}`);
  process.exit(2);
}

export const ARGS = {
  port: args.port ?? fail('--port'),
  ws: args.workspace ?? fail('--workspace'),
  artifacts: args.artifacts ?? fail('--artifacts'),
  chromium: args.chromium!,
  vsixBytes: args['vsix-bytes'],
};
export const BASE = `http://127.0.0.1:${ARGS.port}`;
export const CONFIG = join(ARGS.ws, 'skene.config.ts');

const t0 = Date.now();
export const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
export const log = (...a: unknown[]) => console.log(`[e2e ${elapsed()}]`, ...a);

export { STEPS };
export type StepName = (typeof STEPS)[number];

export const results: { name: StepName; ok: boolean; seconds: number; detail: string }[] = [];
let shots = 0;

export async function shot(page: Page, name: string): Promise<string> {
  const file = join(ARGS.artifacts, `${String(++shots).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file }).catch((e: unknown) => log('screenshot failed', String(e)));
  return file;
}

/**
 * Runs one step and records it. A step the later ones depend on throws on failure (the run stops);
 * an independent one (`soft`) is recorded as failed and the run goes on.
 */
export async function step(page: Page, name: StepName, fn: () => Promise<string>, options: { soft?: boolean } = {}): Promise<void> {
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
    if (!options.soft) throw error;
  }
}

/** Waits until `probe` returns a value (re-checked on a short interval), or throws after `ms`. */
export async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined | null | false>): Promise<T> {
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
export async function retrying(what: string, times: number, attempt: () => Promise<void>, reset: () => Promise<void>): Promise<void> {
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

/** Runs a command from the F1 palette; `opensInput`: the command asks for a value in the same widget (it stays open). */
export async function runCommand(page: Page, title: string, options: { opensInput?: boolean } = {}): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${title}`);
  const row = page.locator(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`).first();
  await row.waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
  if (!options.opensInput) await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

export async function goTo(page: Page, line: number, column: number): Promise<void> {
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

/** Opens a workspace file with Quick Open (`query`: what to type; `label`: the row's aria-label part). */
export async function openFile(page: Page, query: string, label = query): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.type(query);
  const row = page.locator(`.quick-input-list .monaco-list-row[aria-label*="${label}"]`).first();
  await row.waitFor({ timeout: 15_000 });
  // The matching row, not whichever row is selected first (two configs share a name in a monorepo).
  await row.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ timeout: 15_000 });
}

/** Ctrl+S, then waits until the file on disk satisfies `expect`. */
export async function save(page: Page, expect: (text: string) => boolean, what: string, file = CONFIG): Promise<string> {
  await page.keyboard.press('Control+S');
  return until(`${file.slice(ARGS.ws.length + 1)} saved with ${what}`, 15_000, async () => {
    const text = readFileSync(file, 'utf8');
    return expect(text) ? text : undefined;
  });
}

export async function problemTexts(page: Page): Promise<string[]> {
  return page
    .locator('.markers-panel .monaco-list-row')
    .evaluateAll((els) => els.map((e) => `${e.textContent ?? ''} | ${e.getAttribute('aria-label') ?? ''}`.replace(/\s+/g, ' ')));
}

/** Every frame (webviews are nested iframes) whose document contains `text`. */
export async function framesWith(page: Page, text: string): Promise<Frame[]> {
  const out: Frame[] = [];
  for (const f of page.frames()) {
    const has = await f.evaluate((t) => !!document.body && document.body.innerText.includes(t), text).catch(() => false);
    if (has) out.push(f);
  }
  return out;
}

/** Runs Plan Loops and waits for a plan view whose text passes `accept` (a failed plan fails the step at once). */
export async function planView(page: Page, accept: (text: string) => boolean, what: string, timeoutMs = 180_000): Promise<{ frame: Frame; text: string }> {
  await runCommand(page, 'Skene: Plan Loops');
  return until(`the plan webview ${what}`, timeoutMs, async () => {
    const failed = (await framesWith(page, 'Skene plan failed'))[0];
    if (failed)
      throw Object.assign(new Error(`the plan failed: ${(await failed.evaluate(() => document.body.innerText)).replace(/\s+/g, ' ')}`), { fatal: true });
    for (const frame of await framesWith(page, 'Skene plan:')) {
      const text = (await frame.evaluate(() => document.body.innerText)).replace(/\s+/g, ' ');
      if (accept(text)) return { frame, text };
    }
    return undefined;
  });
}
