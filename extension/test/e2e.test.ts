/**
 * The extension end to end in a real VS Code (code-server + headless chromium): runs
 * test/e2e/run.sh (tools setup, `npm run package -w extension`, install of the .vsix, the
 * playwright-core harness) and asserts it passed every step. When the tools cannot be installed
 * here (no apt/chromium, no registry), it skips with the reason; with SKENE_REQUIRE_SERVICES=1
 * (CI) that is a failure.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { STEPS } from './e2e/step-names.js';

const EXT = fileURLToPath(new URL('..', import.meta.url));
const RUN = join(EXT, 'test/e2e/run.sh');

function run(): Promise<{ code: number | null; output: string; seconds: number }> {
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn('bash', [RUN], { cwd: join(EXT, '..'), stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString('utf8');
    });
    child.on('close', (code) => resolve({ code, output, seconds: (Date.now() - start) / 1000 }));
  });
}

test('the .vsix in a real VS Code: diagnostics, quick fix, completion, Copy Skene Prompt, Plan Loops', { timeout: 20 * 60_000 }, async (t) => {
  const { code, output, seconds } = await run();
  const summary = output.slice(output.lastIndexOf('==== Skene VS Code e2e'));
  if (code === 77) {
    const reason = output.split('\n').find((l) => l.startsWith('E2E SKIP')) ?? 'the e2e tools are not available';
    if (process.env.SKENE_REQUIRE_SERVICES === '1') assert.fail(`${reason} (SKENE_REQUIRE_SERVICES=1)\n${output.slice(-3000)}`);
    t.skip(`SKIPPED: ${reason}`);
    return;
  }
  t.diagnostic(`run.sh: ${seconds.toFixed(0)}s`);
  for (const line of summary.split('\n').filter((l) => /^(PASS|FAIL|SKIP|vsix)/.test(l))) t.diagnostic(line.slice(0, 300));
  assert.equal(code, 0, `run.sh failed (exit ${code}):\n${output.slice(-6000)}`);
  for (const step of STEPS) assert.match(summary, new RegExp(`^PASS  ${step.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `, 'm'), `step not passed: ${step}`);
  assert.match(summary, /^E2E PASS$/m);
  // Done-when of the issue: the .vsix is under 10 MB.
  const bytes = Number(/^vsix-bytes: (\d+)$/m.exec(output)?.[1]);
  assert.ok(bytes > 0, 'run.sh reports the size of the .vsix it installed');
  t.diagnostic(`vsix ${bytes} bytes (${(bytes / 1024 / 1024).toFixed(2)} MiB)`);
  assert.ok(bytes < 10 * 1000 * 1000, `the .vsix is ${bytes} bytes, not under 10 MB`);
});
