/**
 * Typing in a config as people do (on apps/api/skene.config.ts, open from the monorepo step):
 *  11. `{` then Enter inside `steps: [` gives a new line between the braces: `{` opens no
 *      completion list whose first item Enter would accept;
 *  12. a plain syntax error is reported once, by TypeScript: no SKN006 beside it.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { lineOf } from './steps-basics.js';
import { API_CONFIG } from './steps-project.js';
import { goTo, problemTexts, save, shot, step, until } from './harness.js';

/** How long a completion list may take to open after `{` before we call it absent (bounded: it is an absence). */
const SUGGEST_GRACE_MS = 4_000;

/** Undoes the last edits (saving after each) until the file on disk is `text` again. */
async function undoUntil(page: Page, text: string): Promise<void> {
  for (let i = 0; i < 8 && readFileSync(API_CONFIG, 'utf8') !== text; i++) {
    const saved = readFileSync(API_CONFIG, 'utf8');
    await page.keyboard.press('Control+Z');
    await page.keyboard.press('Control+S');
    await until('the undo saved', 5_000, async () => readFileSync(API_CONFIG, 'utf8') !== saved).catch(() => undefined);
  }
}

export async function editingSteps(page: Page): Promise<void> {
  await step(
    page,
    '{ + Enter inside steps: [ → a newline, not a completion',
    async () => {
      const before = readFileSync(API_CONFIG, 'utf8');
      const at = lineOf('steps: [', before);
      await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
      await goTo(page, at.line, at.text.length + 1);
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await page.keyboard.type('{');
      const opened = await page
        .locator('.suggest-widget.visible')
        .waitFor({ state: 'visible', timeout: SUGGEST_GRACE_MS })
        .then(
          () => true,
          () => false,
        );
      if (opened) await shot(page, 'brace-completion-opened');
      await page.keyboard.press('Enter');
      const saved = await save(page, (t) => t !== before, 'the new braces', API_CONFIG);
      const inserted = saved.slice(saved.indexOf('steps: [') + 'steps: ['.length, saved.indexOf('{\n      trigger', saved.indexOf('steps: [')));
      await shot(page, 'brace-enter');
      await undoUntil(page, before);
      if (opened || /[A-Za-z]/.test(inserted))
        throw new Error(`\`{\` + Enter ${opened ? 'opened a completion list and ' : ''}inserted ${JSON.stringify(inserted)}`);
      return `inserted ${JSON.stringify(inserted)}: braces and a new line only, no completion list within ${SUGGEST_GRACE_MS / 1000}s`;
    },
    { soft: true },
  );

  await step(
    page,
    'one syntax error, not two (TypeScript only, no SKN006)',
    async () => {
      // A missing comma after `opinion: '…'`: TypeScript's "',' expected." and nothing from skene.
      const opinion = lineOf('opinion:', readFileSync(API_CONFIG, 'utf8'));
      await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
      await goTo(page, opinion.line, opinion.text.length + 1);
      await page.keyboard.press('Backspace');
      await save(page, (t) => t.includes("of the API'\n"), 'the comma removed', API_CONFIG);
      const ts = await until("TypeScript's syntax error in the Problems panel", 90_000, async () => {
        const rows = await problemTexts(page);
        if (rows.some((r) => r.includes('SKN006')))
          throw Object.assign(new Error(`SKN006 beside TypeScript's error: ${JSON.stringify(rows)}`), { fatal: true });
        return rows.find((r) => r.includes("',' expected"));
      });
      // skene checks on the same change; give it a bounded moment to (wrongly) add its own.
      const end = Date.now() + SUGGEST_GRACE_MS;
      while (Date.now() < end) {
        const rows = await problemTexts(page);
        if (rows.some((r) => r.includes('SKN006'))) throw new Error(`SKN006 beside TypeScript's error: ${JSON.stringify(rows)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      await shot(page, 'one-syntax-error');
      await page.keyboard.type(',');
      await save(page, (t) => t.includes("of the API',\n"), 'the comma back', API_CONFIG);
      return `only TypeScript's: ${ts.slice(0, 120)}`;
    },
    { soft: true },
  );
}
