/**
 * The first steps: what a user of an existing project sees. run.sh copied examples/hasura (with
 * its seed/postgres and no skene.seed setting) to the workspace; the config is broken on purpose
 * (`backoff: 'exponentail'`):
 *   1. the extension activates (status bar item) on `workspaceContains:**\/skene.config.ts`;
 *   2. skene's diagnostic for the broken config is in the Problems panel;
 *   3. a quick fix from the server repairs it and the diagnostic goes;
 *   4. Ctrl+Space offers a completion from the skene server, and accepting it edits the file;
 *   5. "Skene: Copy Skene Prompt for Cursor" puts the prompt on the clipboard (read back from the page);
 *   6. "Skene: Plan Loops" shows an email of the example in the webview (seeded from the seed the
 *      plan finds beside the config, as the editor's tables are);
 *   7. "Skene: Restart Language Server" restarts it, and the new server answers (a fresh diagnostic);
 *   8. with the config deleted, "Skene: Create skene.config.ts" writes a starter for the detected stack.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARGS, BASE, CONFIG, framesWith, goTo, openFile, planView, problemTexts, retrying, runCommand, save, shot, step, until } from './harness.js';

/** Breaks the example's config; returns where the typo and the cron line are. */
export function prepareWorkspace() {
  const original = readFileSync(CONFIG, 'utf8');
  if (!original.includes("backoff: 'exponential'") || !/cron: '0 9 \* \* \*'.*\n/.test(original)) {
    console.error('e2e.ts: the example config changed; update the harness (it breaks `backoff` and completes after `cron`)');
    process.exit(2);
  }
  const broken = original.replace("backoff: 'exponential'", "backoff: 'exponentail'");
  writeFileSync(CONFIG, broken);
  return { typo: lineOf("'exponentail'", broken), cron: lineOf("cron: '0 9 * * *'", broken) };
}

export function lineOf(needle: string, text: string) {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no line with ${needle}`);
  return { line: i + 1, column: lines[i]!.indexOf(needle) + 1, text: lines[i]! };
}

export async function basicSteps(page: Page, places: ReturnType<typeof prepareWorkspace>): Promise<void> {
  const { typo, cron } = places;
  await step(page, 'workbench + extension activated', async () => {
    await page.goto(`${BASE}/?folder=${encodeURIComponent(ARGS.ws)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const item = page.locator('.statusbar-item:has-text("Skene:")').first();
    await item.waitFor({ timeout: 90_000 });
    // Open the config (Quick Open) so the server has it.
    await page
      .locator('.monaco-workbench')
      .click({ position: { x: 800, y: 500 } })
      .catch(() => undefined);
    await openFile(page, 'skene.config.ts');
    await page.locator('.tab[aria-label*="skene.config.ts"]').first().waitFor({ timeout: 30_000 });
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
    writeFileSync(join(ARGS.artifacts, 'prompt.txt'), clip);
    await shot(page, 'prompt-copied');
    return `notification "${toastText.slice(0, 120)}"; clipboard ${clip.length} chars: "${clip.split('\n')[1]!.slice(0, 140)}…"`;
  });

  await step(page, 'Plan Loops → email in the webview', async () => {
    await page.keyboard.press('Escape');
    // No skene.seed: the plan seeds from the example's seed/postgres, found beside the config.
    const { frame } = await planView(page, () => true, 'with an email');
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
}
