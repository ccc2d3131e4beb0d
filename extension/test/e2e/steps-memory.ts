/**
 * 13. The language server the extension started (over Node IPC, with the V8 flags it passes in
 *     execArgv) peaked under 300 MB resident. Read after every other step, so the peak covers a
 *     start (Restart Language Server), the example's seed parsed, the monorepo's config and the
 *     edits. Without the flags, Node 22+ spent ~600 MB optimising the SQL parser's WebAssembly
 *     during the first check (packages/language-server/src/v8-flags.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARGS, step } from './harness.js';

const PEAK_LIMIT_MB = 300;
const SERVER_MODULE = 'dist/server.mjs';
/** run.sh installs the .vsix here (beside the workspace): only this run's servers count. */
const EXTENSIONS_DIR = join(dirname(ARGS.ws), 'extensions');

interface ServerProcess {
  pid: number;
  args: string[];
  peakMb: number;
}

/** Every live process running this run's installed server, with its peak resident memory (VmHWM). */
function serverProcesses(): ServerProcess[] {
  const found: ServerProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (!args.some((a) => a.startsWith(EXTENSIONS_DIR) && a.endsWith(SERVER_MODULE))) continue;
      const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'));
      if (hwm) found.push({ pid: Number(entry), args, peakMb: Number(hwm[1]) / 1024 });
    } catch {
      // the process ended between the listing and the read
    }
  }
  return found;
}

export async function memorySteps(page: Page): Promise<void> {
  await step(
    page,
    'language server peak memory under 300 MB',
    async () => {
      const servers = serverProcesses();
      if (!servers.length) throw new Error(`no process runs ${SERVER_MODULE} from ${EXTENSIONS_DIR}`);
      const described = servers.map((s) => `pid ${s.pid} peak ${s.peakMb.toFixed(0)} MB`).join(', ');
      const unflagged = servers.filter((s) => !s.args.includes('--liftoff-only'));
      if (unflagged.length) throw new Error(`the server runs without --liftoff-only: ${unflagged.map((s) => s.args.join(' ')).join(' | ')}`);
      const over = servers.filter((s) => s.peakMb >= PEAK_LIMIT_MB);
      if (over.length) throw new Error(`peak at or over ${PEAK_LIMIT_MB} MB: ${described}`);
      return described;
    },
    { soft: true },
  );
}
