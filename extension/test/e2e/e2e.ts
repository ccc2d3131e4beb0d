/**
 * The Skene extension in a real VS Code (code-server), driven by headless Debian chromium through
 * playwright-core. run.sh installs the .vsix, copies examples/hasura to --workspace and starts
 * code-server on 127.0.0.1:--port; this harness checks, in order, what a user sees — the steps
 * are in steps-basics.ts (activation, diagnostics, quick fix, completion, Copy Skene Prompt, Plan
 * Loops, Restart, Create), steps-project.ts (Create beside a project's seed, the plan clock, a
 * monorepo config), steps-editing.ts (`{` + Enter, one syntax error) and steps-memory.ts (the
 * server's peak memory); harness.ts has the waits and gestures. Screenshots go to --artifacts. Prints a PASS/FAIL summary; exits 1 on failure.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { ARGS, BASE, elapsed, log, results, STEPS } from './harness.js';
import { basicSteps, prepareWorkspace } from './steps-basics.js';
import { editingSteps } from './steps-editing.js';
import { memorySteps } from './steps-memory.js';
import { projectSteps } from './steps-project.js';

// The example as a user has it: its seed/postgres and no skene.seed (the plan finds the seed itself).
const places = prepareWorkspace();

// ---- the run --------------------------------------------------------------------------------------
async function main(): Promise<boolean> {
  mkdirSync(ARGS.artifacts, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'skene-e2e-chromium-'));
  const env = { ...process.env, HOME: profile, XDG_CONFIG_HOME: `${profile}/.config`, XDG_CACHE_HOME: `${profile}/.cache` };
  const external: string[] = [];
  const consoleErrors: string[] = [];
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: ARGS.chromium,
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
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
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

    await basicSteps(page, places);
    await projectSteps(page);
    await editingSteps(page);
    await memorySteps(page);
    return results.every((r) => r.ok);
  } catch {
    return false;
  } finally {
    if (external.length) log('external requests blocked:', JSON.stringify(external.slice(0, 10)));
    if (consoleErrors.length) writeFileSync(join(ARGS.artifacts, 'console-errors.txt'), consoleErrors.join('\n'));
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
    `vsix: ${ARGS.vsixBytes ? `${(Number(ARGS.vsixBytes) / 1024 / 1024).toFixed(2)} MB` : '?'}; harness time ${elapsed()}; screenshots in ${ARGS.artifacts}`,
  );
  console.log(ok ? 'E2E PASS' : 'E2E FAIL');
  process.exit(ok ? 0 : 1);
});
