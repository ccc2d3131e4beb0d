import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LOOP_TYPES, type LoopType } from '@skene/sdk';
import { buildPrompt, detectStack, patternLabel, promptJson } from '@skene/core';
import { EXIT, UsageError, type CliIO } from '../io.js';
import type { Command } from '../main.js';

export const promptCommand: Command = {
  name: 'prompt',
  usage: `Usage: skene prompt [dir] [--pattern ${LOOP_TYPES.join('|')}] [--copy] [--format text|json]

  dir         the project folder (default: the current folder)
  --pattern   the loop pattern (default: from the stack: sign-up-centred → activation, usage data → retention)
  --copy      copy the prompt to the clipboard (wl-copy, xclip, xsel, pbcopy or clip)
  --format    text (default) or json: { stack, pattern, reason, evidence, prompt }

Reads package.json files, lock files, ORM schemas, config files and .env.example; never .env.
Exit status: 0 prompt printed (and copied), 1 no stack detected or the copy failed, 2 bad usage.`,
  async run(args, io) {
    const { values, positionals } = parse(args, { copy: { type: 'boolean' }, format: { type: 'string' } });
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${String(format)}'`);
    const dir = projectDir(positionals, io);
    const pattern = parsePattern(values.pattern);
    const detection = detectStack(dir, { pattern });

    if (format === 'json') {
      io.stdout(`${JSON.stringify(promptJson(detection), null, 2)}\n`);
      if (detection.empty) return EXIT.errors;
    } else if (detection.empty) {
      io.stderr(`skene prompt: ${detection.message}\n`);
      return EXIT.errors;
    }
    const prompt = buildPrompt(detection);
    if (!values.copy) {
      if (format === 'text') io.stdout(prompt);
      return EXIT.ok;
    }
    const copied = await copyToClipboard(prompt, io.env);
    const what = `the Skene prompt (${patternLabel(detection.pattern)} Loop pattern for ${detection.stack})`;
    if (copied.ok) {
      (format === 'json' ? io.stderr : io.stdout)(`Copied ${what} to the clipboard with ${copied.tool}.\n`);
      return EXIT.ok;
    }
    io.stderr(`skene prompt: could not copy to the clipboard: ${copied.reason}${format === 'text' ? ' The prompt follows; copy it by hand.' : ''}\n`);
    if (format === 'text') io.stdout(prompt);
    return EXIT.errors;
  },
};

// ---- shared by prompt and init -------------------------------------------------------------

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

/** parseArgs with `--pattern` and the command's own options; bad flags become usage errors. */
export function parse(args: string[], options: OptionSpec): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { pattern: { type: 'string' }, ...options } });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function parsePattern(value: unknown): LoopType | undefined {
  if (value === undefined) return undefined;
  const v = String(value).toLowerCase();
  if (!(LOOP_TYPES as readonly string[]).includes(v)) throw new UsageError(`--pattern must be one of ${LOOP_TYPES.join(', ')}, not '${String(value)}'`);
  return v as LoopType;
}

/** The project folder argument (default cwd); a missing or non-folder path is a usage error. */
export function projectDir(positionals: string[], io: CliIO): string {
  if (positionals.length > 1) throw new UsageError(`expected one project folder, got ${positionals.length}`);
  const dir = resolve(io.cwd, positionals[0] ?? '.');
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`no such folder: ${positionals[0]}`);
  }
  if (!isDir) throw new UsageError(`not a folder: ${positionals[0]}`);
  return dir;
}

// ---- clipboard -----------------------------------------------------------------------------

interface ClipboardTool {
  tool: string;
  args: string[];
}

/** The platform's clipboard tools, in the order they are tried. */
export function clipboardCandidates(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): ClipboardTool[] {
  if (platform === 'darwin') return [{ tool: 'pbcopy', args: [] }];
  if (platform === 'win32') return [{ tool: 'clip', args: [] }];
  const wayland: ClipboardTool = { tool: 'wl-copy', args: [] };
  const x11: ClipboardTool[] = [
    { tool: 'xclip', args: ['-selection', 'clipboard'] },
    { tool: 'xsel', args: ['--clipboard', '--input'] },
  ];
  // WSL: clip.exe reaches the Windows clipboard.
  const wsl: ClipboardTool = { tool: 'clip.exe', args: [] };
  return env.WAYLAND_DISPLAY ? [wayland, ...x11, wsl] : [...x11, wayland, wsl];
}

function onPath(tool: string, env: NodeJS.ProcessEnv): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean);
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const file = join(dir, tool + ext);
      try {
        accessSync(file, constants.X_OK);
        if (statSync(file).isFile()) return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** Copies `text` with the first clipboard tool found on PATH. Never throws. */
export async function copyToClipboard(text: string, env: NodeJS.ProcessEnv): Promise<{ ok: true; tool: string } | { ok: false; reason: string }> {
  const candidates = clipboardCandidates(env);
  const found = candidates.map((c) => ({ ...c, path: onPath(c.tool, env) })).filter((c) => c.path);
  if (!found.length) return { ok: false, reason: `no clipboard tool found (looked for ${candidates.map((c) => c.tool).join(', ')} on PATH).` };
  const failures: string[] = [];
  for (const c of found) {
    const result = await new Promise<{ code: number | null; stderr: string; error?: Error }>((done) => {
      const child = spawn(c.path!, c.args, { env, stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', (error) => done({ code: null, stderr, error }));
      // 'exit', not 'close': xclip and xsel fork a child that keeps serving the selection (and our pipes).
      child.on('exit', (code) => {
        child.stderr.destroy();
        done({ code, stderr });
      });
      child.stdin.on('error', () => {});
      child.stdin.end(text);
    });
    if (result.code === 0) return { ok: true, tool: c.tool };
    failures.push(
      `${c.tool} failed${result.error ? `: ${result.error.message}` : result.stderr.trim() ? `: ${result.stderr.trim().split('\n')[0]}` : ` (exit ${result.code})`}`,
    );
  }
  return { ok: false, reason: `${failures.join('; ')}.` };
}
