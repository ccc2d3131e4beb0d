/**
 * `workspace/executeCommand` `skene.copyPrompt` over stdio, against the BUILT server: the Copy Skene
 * Prompt flow lives in the server, so any LSP client gets the stack, pattern, evidence and prompt.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serverBuilt, startServer, type Server } from './lsp-client.js';

const PROJECTS = fileURLToPath(new URL('../../packages/core/test/fixtures/projects/', import.meta.url));

interface CopyPromptResult {
  folder: string;
  stack: string | null;
  pattern: string;
  reason: string;
  title: string | null;
  prompt: string | null;
  message?: string;
  evidence: { kind: string; name: string; file: string; line: number }[];
}

describe('skene.copyPrompt over stdio', { skip: serverBuilt() ? false : 'SKIPPED: the server is not built (npm run build)' }, () => {
  let server: Server;
  const empty = mkdtempSync(join(tmpdir(), 'skene-copy-prompt-'));
  before(async () => {
    server = await startServer({ rootUri: pathToFileURL(join(PROJECTS, 'hasura')).href });
  });
  after(async () => {
    await server?.stop();
    rmSync(empty, { recursive: true, force: true });
  });

  const run = (args: unknown[]) =>
    server.connection.sendRequest('workspace/executeCommand', { command: 'skene.copyPrompt', arguments: args }) as Promise<CopyPromptResult>;

  it('is advertised as an executeCommand of the server', () => {
    assert.ok(server.initializeResult.capabilities.executeCommandProvider?.commands.includes('skene.copyPrompt'));
  });

  it('answers with the stack, pattern, reason, evidence and the prompt for a config URI (the code lens argument)', async () => {
    const uri = pathToFileURL(join(PROJECTS, 'hasura', 'skene.config.ts')).href;
    const r = await run([uri]);
    assert.equal(r.folder, join(PROJECTS, 'hasura'));
    assert.equal(r.stack, 'Hasura');
    assert.equal(r.pattern, 'retention');
    assert.equal(r.title, 'Retention Loop pattern for Hasura');
    assert.ok(r.reason.length > 0);
    assert.ok(r.evidence.length > 0 && r.evidence.every((e) => e.file && e.line >= 1));
    assert.ok(
      r.prompt?.startsWith(
        '@task: Initialize Skene.\n@action: Analyze my local code, validating subscription via `npx skene login`, and generate `skene.config.ts` to implement the Retention Loop pattern for Hasura.\n',
      ),
    );
  });

  it('takes a folder and a pattern in an options object', async () => {
    const r = await run([{ folder: pathToFileURL(join(PROJECTS, 'nextjs-upstash-clerk')).href, pattern: 'retention' }]);
    assert.equal(r.stack, 'Next.js + Upstash Redis + Clerk');
    assert.equal(r.pattern, 'retention');
    assert.ok(r.evidence.some((e) => e.name === 'Clerk' && e.file === 'package.json'));
    assert.match(r.prompt ?? '', /Retention Loop pattern for Next\.js \+ Upstash Redis \+ Clerk\./);
  });

  it('an empty folder: no invented prompt, a message saying what was looked for', async () => {
    const r = await run([{ folder: empty }]);
    assert.equal(r.stack, null);
    assert.equal(r.prompt, null);
    assert.equal(r.title, null);
    assert.ok(r.message && r.message.length > 0);
  });

  it('a bad pattern answers null with the reason in the log, and the server keeps serving', async () => {
    assert.equal(await run([{ folder: empty, pattern: 'virality' }]), null);
    assert.match(await server.waitForLog(/pattern must be one of/), /skene\.copyPrompt: pattern must be one of activation, retention/);
    const r = await run([pathToFileURL(join(PROJECTS, 'hasura')).href]);
    assert.equal(r.stack, 'Hasura');
  });
});
