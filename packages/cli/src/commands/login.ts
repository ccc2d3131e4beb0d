/**
 * `skene login`: reads the Resend API key (RESEND_API_KEY, a hidden prompt, or stdin), verifies it
 * against Resend's API, and stores it with mode 0600 in the user's config folder. The key is never
 * echoed, logged or put in an error message; `--status` shows it masked (`re_****abcd`).
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, UsageError, type CliIO } from '../io.js';
import type { Command } from '../main.js';

export const DEFAULT_RESEND_BASE_URL = 'https://api.resend.com';

export interface StoredCredentials {
  resend?: { apiKey: string; verifiedAt: string; sendingOnly?: boolean };
}

/** `$SKENE_CONFIG_DIR`, else `$XDG_CONFIG_HOME/skene`, else `%APPDATA%\skene` on Windows, else `~/.config/skene`. */
export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.SKENE_CONFIG_DIR) return env.SKENE_CONFIG_DIR;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'skene');
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'skene');
  return join(env.HOME || homedir(), '.config', 'skene');
}

export function credentialsPath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), 'credentials.json');
}

/** The stored credentials, or undefined when there are none (or the file is unreadable). */
export function readCredentials(env: NodeJS.ProcessEnv): StoredCredentials | undefined {
  try {
    const parsed = JSON.parse(readFileSync(credentialsPath(env), 'utf8')) as StoredCredentials;
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `re_****abcd`: the prefix and the last four characters, never more. */
export function maskKey(key: string): string {
  const prefix = key.startsWith('re_') ? 're_' : '';
  return key.length >= prefix.length + 8 ? `${prefix}****${key.slice(-4)}` : `${prefix}****`;
}

/** Writes the file atomically with mode 0600 (its folder 0700), whatever the umask. */
function writeSecretFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

export type Verification =
  | { status: 'valid'; domains?: number; sendingOnly?: boolean }
  | { status: 'invalid'; message: string }
  | { status: 'unavailable'; message: string }
  | { status: 'network'; message: string };

/** Asks Resend whether the key is valid: `GET /domains` with the key as a bearer token. */
export async function verifyResendKey(apiKey: string, env: NodeJS.ProcessEnv): Promise<Verification> {
  const base = (env.RESEND_BASE_URL || DEFAULT_RESEND_BASE_URL).replace(/\/+$/, '');
  let response: Response;
  try {
    response = await fetch(`${base}/domains`, {
      headers: { Authorization: `Bearer ${apiKey}`, 'User-Agent': 'skene-cli/0.1.0', Accept: 'application/json' },
      signal: AbortSignal.timeout(20_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = (error as Error).name === 'TimeoutError' ? 'timed out after 20s' : (cause?.code ?? cause?.message ?? (error as Error).message);
    return {
      status: 'network',
      message: `could not reach Resend at ${base} (${reason}): check your network connection${env.RESEND_BASE_URL ? ' and RESEND_BASE_URL' : ''}.`,
    };
  }
  let body: { name?: string; message?: string; data?: unknown[] } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not JSON: the status alone decides.
  }
  if (response.ok) return { status: 'valid', ...(Array.isArray(body.data) ? { domains: body.data.length } : {}) };
  // A sending-only key cannot list domains, but it is a valid key for what Skene does: send.
  if (response.status === 401 && body.name === 'restricted_api_key') return { status: 'valid', sendingOnly: true };
  const detail = `${body.message ? `${body.message.replace(/\s+/g, ' ').slice(0, 200)} ` : ''}(HTTP ${response.status}${body.name ? ` ${body.name}` : ''})`;
  if (response.status === 401 || response.status === 403) return { status: 'invalid', message: `Resend rejected the API key: ${detail}.` };
  if (response.status === 429) return { status: 'unavailable', message: `Resend is rate-limiting requests: ${detail}. Try again in a minute.` };
  return { status: 'unavailable', message: `Resend could not verify the key: ${detail}.` };
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(io: CliIO, question: string): Promise<string> {
  const stdin = process.stdin;
  // Raw mode (no echo) before the question appears, so nothing typed or pasted after it is echoed.
  stdin.setRawMode(true);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      io.stderr('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
    io.stderr(question);
  });
}

function readAllStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d) => (text += d));
    process.stdin.on('end', () => resolve(text));
    process.stdin.on('error', reject);
  });
}

export const loginCommand: Command = {
  name: 'login',
  usage: `Usage: skene login [--status | --logout]

  (no option)  read the Resend API key — from RESEND_API_KEY, else a hidden prompt on a terminal,
               else standard input — verify it with Resend and store it (mode 0600) in
               $SKENE_CONFIG_DIR, $XDG_CONFIG_HOME/skene or ~/.config/skene (credentials.json)
  --status     show whether a key is stored (masked, e.g. re_****abcd) and where
  --logout     remove the stored key

Environment: RESEND_API_KEY, RESEND_BASE_URL (default ${DEFAULT_RESEND_BASE_URL}), SKENE_CONFIG_DIR.
Exit status: 0 ok, 1 key refused / Resend unreachable / not logged in (--status), 2 bad usage.`,
  async run(args, io) {
    let values: { status?: boolean; logout?: boolean };
    try {
      ({ values } = parseArgs({ args, strict: true, allowPositionals: false, options: { status: { type: 'boolean' }, logout: { type: 'boolean' } } }));
    } catch (error) {
      // parseArgs quotes unknown arguments; a key passed as an argument must not be echoed back.
      const message = error instanceof Error ? error.message : String(error);
      throw new UsageError(
        /re_[\w-]{4,}/.test(message)
          ? 'unexpected argument: the API key is read from RESEND_API_KEY, a hidden prompt or standard input, never from the command line'
          : message,
      );
    }
    if (values.status && values.logout) throw new UsageError('--status and --logout cannot be used together');
    const path = credentialsPath(io.env);

    if (values.logout) {
      const had = readCredentials(io.env)?.resend;
      rmSync(path, { force: true });
      io.stdout(had ? `Logged out: removed the Resend API key from ${path}.\n` : `Not logged in: no key stored in ${path}.\n`);
      return EXIT.ok;
    }

    if (values.status) {
      const stored = readCredentials(io.env)?.resend;
      if (!stored?.apiKey) {
        io.stdout(`Not logged in: no Resend API key stored in ${path}. Run \`skene login\`.\n`);
        if (io.env.RESEND_API_KEY) io.stdout('RESEND_API_KEY is set in the environment.\n');
        return EXIT.errors;
      }
      io.stdout(
        `Logged in to Resend with ${maskKey(stored.apiKey)}${stored.sendingOnly ? ' (sending access only)' : ''}, verified ${stored.verifiedAt}.\nStored in ${path}.\n`,
      );
      try {
        const mode = statSync(path).mode & 0o777;
        if (process.platform !== 'win32' && mode & 0o077)
          io.stderr(`warning: ${path} is readable by others (mode ${mode.toString(8).padStart(4, '0')}): run \`chmod 600 ${path}\`.\n`);
      } catch {
        // gone since it was read
      }
      if (io.env.RESEND_API_KEY && io.env.RESEND_API_KEY !== stored.apiKey) io.stdout('Note: RESEND_API_KEY is set in the environment to a different key.\n');
      return EXIT.ok;
    }

    let source: string;
    let key: string;
    if (io.env.RESEND_API_KEY) {
      key = io.env.RESEND_API_KEY;
      source = 'RESEND_API_KEY';
    } else if (!io.readStdin && process.stdin.isTTY) {
      try {
        key = await promptHidden(io, 'Resend API key (input hidden; create one at https://resend.com/api-keys): ');
      } catch {
        io.stderr('skene login: cancelled; nothing was stored.\n');
        return EXIT.errors;
      }
      source = 'the prompt';
    } else {
      key =
        (await (io.readStdin ?? readAllStdin)())
          .split(/\r?\n/)
          .find((l) => l.trim())
          ?.trim() ?? '';
      source = 'standard input';
    }
    key = key.trim();
    if (!key) {
      io.stderr(
        `skene login: no API key was given (read ${source}). Pipe it in, set RESEND_API_KEY, or run \`skene login\` in a terminal. Nothing was stored.\n`,
      );
      return EXIT.errors;
    }
    if (!/^re_[A-Za-z0-9_-]+$/.test(key)) {
      io.stderr(`skene login: the key from ${source} is not a Resend API key (they start with "re_" and contain no spaces). Nothing was stored.\n`);
      return EXIT.errors;
    }

    const verdict = await verifyResendKey(key, io.env);
    if (verdict.status !== 'valid') {
      const what = verdict.status === 'network' ? 'network error' : verdict.status === 'invalid' ? 'invalid key' : 'not verified';
      io.stderr(`skene login: ${what}: ${verdict.message} Nothing was stored.\n`);
      return EXIT.errors;
    }
    const existing = readCredentials(io.env) ?? {};
    const credentials: StoredCredentials = {
      ...existing,
      resend: { apiKey: key, verifiedAt: new Date().toISOString(), ...(verdict.sendingOnly ? { sendingOnly: true } : {}) },
    };
    writeSecretFile(path, `${JSON.stringify(credentials, null, 2)}\n`);
    const scope = verdict.sendingOnly
      ? ' (a sending-only key)'
      : verdict.domains !== undefined
        ? ` (${verdict.domains} domain${verdict.domains === 1 ? '' : 's'})`
        : '';
    io.stdout(`Verified ${maskKey(key)} with Resend${scope}; stored in ${path} (mode 0600).\n`);
    return EXIT.ok;
  },
};
