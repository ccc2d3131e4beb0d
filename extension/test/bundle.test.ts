/**
 * The bundles as the .vsix ships them, without VS Code: built into a temporary folder, then
 * dist/server.mjs over stdio (initialize, skene.copyPrompt, diagnostics) and in worker mode
 * (the starter, and a plan of examples/hasura that compiles the config and the React Email
 * template through the bundle's esbuild shim, with React and the sdk from the bundle).
 */
import assert from 'node:assert/strict';
import { execFile, fork, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import type { PlanResult } from '../src/plan-model.js';
import type { StarterResult, WorkerRequest, WorkerResponse } from '../src/worker-protocol.js';

const EXT = fileURLToPath(new URL('..', import.meta.url));
const REPO = join(EXT, '..');
const tmp = mkdtempSync(join(tmpdir(), 'skene-vscode-bundle-'));
const dist = join(tmp, 'dist');
const server = join(dist, 'server.mjs');
after(() => rmSync(tmp, { recursive: true, force: true }));

function worker<R>(request: WorkerRequest): Promise<R> {
  return new Promise((resolve, reject) => {
    const child = fork(server, ['--skene-worker'], {
      env: { ...process.env, SKENE_EMAIL_FROM: 'Acme <hello@acme.example>', DATABASE_URL: '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (m: WorkerResponse) => (m.ok ? resolve(m.result as R) : reject(new Error(m.stack ?? m.error))));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before answering`)));
    child.send(request);
  });
}

describe('the bundled server and worker (dist/ as packaged)', () => {
  before(async () => {
    await promisify(execFile)(process.execPath, [join(EXT, 'scripts/build.mjs'), '--outdir', dist, '--quiet'], { cwd: EXT });
  });

  it('serves LSP over stdio: skene.copyPrompt and diagnostics for a broken config', async () => {
    const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    try {
      const hasura = join(REPO, 'examples/hasura');
      const diagnostics = new Promise<PublishDiagnosticsParams>((resolve) =>
        connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
          if (p.diagnostics.length) resolve(p);
        }),
      );
      connection.listen();
      const init = (await connection.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(hasura).href, capabilities: {} })) as {
        capabilities: { executeCommandProvider?: { commands: string[] } };
      };
      assert.deepEqual(init.capabilities.executeCommandProvider?.commands, ['skene.copyPrompt']);
      await connection.sendNotification('initialized', {});
      const prompt = (await connection.sendRequest('workspace/executeCommand', {
        command: 'skene.copyPrompt',
        arguments: [{ folder: pathToFileURL(hasura).href }],
      })) as { title: string; prompt: string };
      assert.equal(prompt.title, 'Retention Loop pattern for Hasura');
      assert.ok(prompt.prompt.startsWith('@task: Initialize Skene.'));
      const uri = pathToFileURL(join(hasura, 'skene.config.ts')).href;
      const text = readFileSync(join(hasura, 'skene.config.ts'), 'utf8').replace("backoff: 'exponential'", "backoff: 'exponentail'");
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
      const published = await diagnostics;
      assert.deepEqual(
        published.diagnostics.map((d) => d.code),
        ['SKN004'],
      );
      await connection.sendRequest('shutdown');
      await connection.sendNotification('exit');
    } finally {
      connection.dispose();
      child.kill();
    }
  });

  it('worker: the starter for a detected stack', async () => {
    const project = join(tmp, 'supabase-next');
    cpSync(join(REPO, 'packages/core/test/fixtures/projects/supabase-next'), project, { recursive: true });
    const starter = await worker<StarterResult>({ kind: 'starter', cwd: project, folder: project });
    assert.ok(starter.stack);
    const config = starter.files.find((f) => f.path === 'skene.config.ts');
    assert.ok(config, `files: ${starter.files.map((f) => f.path).join(', ')}`);
    assert.match(config.content, /define(Loop|Config)\(/);
  });

  it('render-worker.js: a React Email render thread in the server bundle (bundled React and @react-email/components)', async () => {
    // What core's render pool sends: a template the plan's thread compiled (CJS), then a batch of emails.
    const code = [
      "const { jsx } = require('react/jsx-runtime');",
      "const { Text } = require('@react-email/components');",
      "module.exports.default = (props) => jsx(Text, { children: 'Hi ' + props.name });",
      "module.exports.subject = 'Hello {{name}}';",
    ].join('\n');
    const thread = new Worker(join(dist, 'render-worker.js'), {
      workerData: { skeneRenderWorker: true, file: join(tmp, 'emails/hello.tsx'), template: 'hello', bundle: { code } },
    });
    try {
      const answer = await new Promise<{ id: number; results: { html: string; subject?: string }[] }>((resolve, reject) => {
        thread.on('message', (m: { ready?: boolean; id?: number }) => {
          if (m.ready === false) reject(new Error(JSON.stringify(m)));
          else if (m.ready) thread.postMessage({ id: 1, jobs: [{ props: { name: 'Ada' } }] });
          else if (m.id === 1) resolve(m as never);
        });
        thread.once('error', reject);
        thread.once('exit', (code) => reject(new Error(`the render thread exited with ${code}`)));
      });
      assert.equal(answer.results[0]!.subject, 'Hello Ada');
      assert.match(answer.results[0]!.html, /Hi <!-- -->Ada|Hi Ada/);
    } finally {
      await thread.terminate();
    }
  });

  it('worker: a plan of examples/hasura renders its React Email template (compiled by the bundle)', async () => {
    const ws = join(tmp, 'hasura');
    cpSync(join(REPO, 'examples/hasura'), ws, { recursive: true });
    const plan = await worker<PlanResult>({
      kind: 'plan',
      cwd: ws,
      config: join(ws, 'skene.config.ts'),
      seeds: [join(ws, 'seed/postgres')],
      at: '2026-03-02T09:00:00Z',
    });
    assert.equal(plan.loops.length, 1);
    assert.equal(plan.loops[0]!.id, 're-engagement');
    assert.ok(plan.count > 0);
    const email = plan.loops[0]!.steps[0]!.emails[0]!;
    assert.match(email.subject, /^We saved your spot, /);
    assert.match(email.html, /it has been a while/);
    assert.equal(email.from, 'Acme <hello@acme.example>');
  });
});
