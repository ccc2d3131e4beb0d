/**
 * `skene check` on a 200-loop config peaks under 300 MB resident. On Node 22 and later, V8's
 * optimising compiler took ~500 MB for the SQL parser's WebAssembly during such a check (645 MB
 * peak on Node 24); check re-executes itself with the baseline compiler only
 * (packages/core/src/v8-flags.ts). Node 20 never needed that much: there this guards other growth.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { generatedConfig } from '../../bench/stats.ts';
import { SKENE_BIN } from '../helpers/cli.js';

const LIMIT_MB = 300;

/** Runs the CLI and reads its VmHWM (a high-water mark: any read after the peak shows it) until it exits. */
function checkPeak(cwd: string): Promise<{ code: number | null; peakMb: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SKENE_BIN, 'check', 'skene.config.ts', '--format', 'json'], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let peakKb = 0;
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const poll = setInterval(() => {
      try {
        const hwm = Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
        if (hwm > peakKb) peakKb = hwm;
      } catch {
        // exited between two reads
      }
    }, 5);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, peakMb: peakKb / 1024, stderr });
    });
  });
}

test(`skene check on a 200-loop config peaks under ${LIMIT_MB} MB`, { skip: process.platform !== 'linux' && 'reads /proc' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-check-memory-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'emails'));
  writeFileSync(join(dir, 'emails', 'welcome.html'), '<p>{{name}}</p>');
  writeFileSync(join(dir, 'emails', 're_engagement.html'), '<p>{{name}}</p>');
  writeFileSync(join(dir, 'skene.config.ts'), generatedConfig(200));
  const run = await checkPeak(dir);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.peakMb > 0, 'the peak was read from /proc');
  t.diagnostic(`Node ${process.version}: peak ${run.peakMb.toFixed(0)} MB`);
  assert.ok(run.peakMb < LIMIT_MB, `peak ${run.peakMb.toFixed(0)} MB`);
});
