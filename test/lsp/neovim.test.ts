/**
 * An independent client: headless Neovim's built-in LSP client runs the BUILT server over stdio
 * (test/lsp/nvim-probe.lua): diagnostics arrive, completion and hover answer. Debian's `neovim`
 * (0.7) is enough. Skipped with a visible reason when nvim is absent, failed when
 * SKENE_REQUIRE_SERVICES=1 (CI installs it).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { docsUrl } from '@skene/core';
import { REPO, SERVER_BIN, serverBuilt } from './lsp-client.ts';

const PROBE = join(REPO, 'test/lsp/nvim-probe.lua');

function nvimOrSkip(t: TestContext): boolean {
  const found = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  if (found.status === 0 && serverBuilt()) return true;
  const reason = found.status !== 0 ? 'nvim is not installed (apt-get install -y neovim)' : 'the server is not built (npm run build)';
  if (process.env.SKENE_REQUIRE_SERVICES === '1') throw new Error(`${reason} (SKENE_REQUIRE_SERVICES=1)`);
  t.skip(`SKIPPED: ${reason}`);
  return false;
}

const CONFIG = `import { defineLoop } from '@skene/sdk';
export default defineLoop({
  type: 'activation',
  opinion: 'Welcome users',
  steps: [{
    trigger: { type: 'schedule', cron: '0 9 * * 1-5' },
    condition: { type: 'query', query: 'SELECT * FROM users' },
    action: { type: 'email', provider: 'resend', template: 'activation_welcome' },
  }],
  recovery: { retries: 3, backoff: 'exponentail' },
});
`;

function run(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('nvim', args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('headless Neovim: diagnostics arrive, completion and hover answer', async (t) => {
  if (!nvimOrSkip(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'skene-nvim-'));
  try {
    cpSync(join(REPO, 'test/lsp/fixtures/app'), dir, { recursive: true });
    const file = join(dir, 'skene.config.ts');
    writeFileSync(file, CONFIG);
    const lines = CONFIG.split('\n');
    const backoffLine = lines.findIndex((l) => l.includes('backoff'));
    const cronLine = lines.findIndex((l) => l.includes('cron:'));
    const { code, stdout, stderr } = await run(
      ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${PROBE}`, file],
      {
        NODE_BIN: process.execPath,
        SERVER_JS: SERVER_BIN,
        // Inside the quotes of `backoff: 'exponentail'` (enum values), on the cron expression (hover).
        COMPLETE_AT: `${backoffLine + 1},${lines[backoffLine].indexOf("'exponentail'") + 1}`,
        HOVER_AT: `${cronLine + 1},${lines[cronLine].indexOf('0 9 * * 1-5')}`,
        XDG_STATE_HOME: join(dir, '.state'),
        XDG_DATA_HOME: join(dir, '.data'),
        XDG_CONFIG_HOME: join(dir, '.config'),
      },
      dir,
    );
    assert.equal(code, 0, `nvim exited ${code}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    assert.match(stdout, /NVIM-LSP-PASS/);
    const line = stdout.split('\n').find((l) => l.startsWith('NVIM-LSP-RESULT '))!;
    const result = JSON.parse(line.slice('NVIM-LSP-RESULT '.length)) as {
      diagnostics: { code: string; source: string; message: string; lnum: number; href: string }[];
      completion: string[];
      hover: string;
    };
    const backoff = result.diagnostics.find((d) => d.code === 'SKN004');
    assert.ok(backoff, `SKN004 among ${JSON.stringify(result.diagnostics)}`);
    assert.equal(backoff.source, 'skene');
    assert.equal(backoff.lnum, backoffLine);
    assert.match(backoff.message, /Did you mean 'exponential'\?/);
    assert.equal(backoff.href, docsUrl('SKN004'));
    assert.deepEqual(result.completion, ['exponential', 'linear', 'fixed']);
    assert.match(result.hover, /At 09:00, Monday through Friday \(UTC\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
