/**
 * The built server's peak resident memory over a start: spawn → initialize → a 200-loop config
 * opened → its first diagnostics → the edits that follow. On Node 22 and later, V8's optimising
 * compiler took ~600 MB for the SQL parser's WebAssembly a moment after the first check (a peak of
 * 0.7 GB that settled at 200 MB); the server now runs that code with the baseline compiler only
 * (packages/core/src/v8-flags.ts). Node 20's compiler never needed that much, so
 * there this test guards against other growth.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { generatedConfig } from '../../bench/stats.ts';
import { serverBuilt, startServer } from './lsp-client.ts';

const skip = serverBuilt() ? false : 'the server is not built: run `npm run build` (npm test does)';
const LIMIT_MB = 300;

/** A process's resident memory now and at its peak (VmHWM), in MB, from /proc. */
function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

test(`a start on a 200-loop config peaks under ${LIMIT_MB} MB resident`, { skip: skip || (process.platform !== 'linux' && 'reads /proc') }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-lsp-memory-'));
  mkdirSync(join(dir, 'emails'));
  writeFileSync(join(dir, 'emails', 'welcome.html'), '<p>Hi {{name}}: {{link}}</p>');
  writeFileSync(join(dir, 'emails', 're_engagement.html'), '<p>Hi {{name}}, last seen {{lastActivity}}</p>');
  const file = join(dir, 'skene.config.ts');
  let text = generatedConfig(200);
  writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  const server = await startServer({ rootUri: pathToFileURL(dir).href });
  try {
    const pid = server.process.pid!;
    const first = server.nextDiagnostics(uri);
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
    const published = await first;
    assert.equal(published.diagnostics.length, 0, JSON.stringify(published.diagnostics.slice(0, 3)));
    // A few edits checked again (each parses the 200 queries): the parser's code gets hot, which is
    // when V8 decides to optimise it; its compiler runs in the background, so wait for it.
    for (let version = 2; version <= 6; version++) {
      text = text.replace("opinion: 'Welcome", "opinion: 'welcome");
      await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
      await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
    }
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const memory = memoryMb(pid);
    assert.ok(memory.peak < LIMIT_MB, `peak resident ${memory.peak.toFixed(0)} MB (now ${memory.rss.toFixed(0)} MB), expected < ${LIMIT_MB} MB`);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
