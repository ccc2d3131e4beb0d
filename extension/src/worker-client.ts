/**
 * Runs core work that the extension host should not carry (stack detection for the starter, the
 * plan with its embedded PostgreSQL) in a child process: dist/server.mjs --skene-worker, forked per request and
 * stopped when it answers. The bundle holds core and its dependencies; nothing is installed.
 */
import { fork } from 'node:child_process';
import type * as vscode from 'vscode';
import type { WorkerRequest, WorkerResponse } from './worker-protocol.js';

export function runWorker<R>(
  context: vscode.ExtensionContext,
  request: WorkerRequest,
  token?: vscode.CancellationToken,
  log?: (line: string) => void,
): Promise<R> {
  const module = context.asAbsolutePath('dist/server.mjs');
  return new Promise<R>((resolve, reject) => {
    const child = fork(module, ['--skene-worker'], {
      // In the desktop app process.execPath is Electron: run it as plain Node (as vscode-languageclient does).
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      cwd: 'cwd' in request ? request.cwd : undefined,
    });
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      sub?.dispose();
      if (child.exitCode === null) child.kill();
      fn();
    };
    const forward = (chunk: Buffer) => log?.(chunk.toString('utf8').trimEnd());
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    const sub = token?.onCancellationRequested(() => done(() => reject(new Error('cancelled'))));
    child.on('message', (message: WorkerResponse) => {
      if (message.ok) done(() => resolve(message.result as R));
      else done(() => reject(Object.assign(new Error(message.error), { stack: message.stack ?? message.error })));
    });
    child.on('error', (error) => done(() => reject(error)));
    child.on('exit', (code, signal) => done(() => reject(new Error(`the Skene worker exited (${signal ?? `code ${code}`}) before answering`))));
    child.send(request);
  });
}
