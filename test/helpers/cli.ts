/** Runs the built `skene` CLI as a child process, as a user would. */
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SKENE_BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.cjs', import.meta.url));

export function skene(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeout?: number } = {}) {
  const result = spawnSync(process.execPath, [SKENE_BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: options.timeout ?? 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** The CLI without blocking this process: doubles (Resend, GitHub) answer from this event loop meanwhile. */
export function skeneAsync(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SKENE_BIN, ...args],
      { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', ...options.env }, timeout: 120_000, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
