/**
 * `skene login` against a Resend API double: a real HTTP server on 127.0.0.1 speaking Resend's wire
 * format. Most cases run the command in-process (key on injected stdin); one runs the built CLI as
 * a child process with the key on a real stdin pipe.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from 'skene';

const VALID = 're_Valid1234567890_abcd';
const SENDING_ONLY = 're_SendOnly987654_wxyz';
const INVALID = 're_Invalid0000000_dead';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Seen {
  method: string;
  url: string;
  authorization?: string;
}

function json(res: import('node:http').ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** Resend's API as far as login uses it: GET /domains (and /api-keys) with a bearer key. */
function resendDouble(seen: Seen[]): Server {
  return createServer((req: IncomingMessage, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    const auth = req.headers.authorization;
    if (!auth)
      return json(res, 401, {
        statusCode: 401,
        name: 'missing_api_key',
        message: 'Missing API key in the authorization header. Include the following header in the request: Authorization: Bearer YOUR_API_KEY',
      });
    const key = auth.replace(/^Bearer /, '');
    if (req.method !== 'GET' || !['/domains', '/api-keys'].includes(req.url ?? ''))
      return json(res, 404, { statusCode: 404, name: 'not_found', message: 'The requested endpoint does not exist.' });
    if (key === SENDING_ONLY) return json(res, 401, { statusCode: 401, name: 'restricted_api_key', message: 'This API key is restricted to only send emails' });
    if (key !== VALID) return json(res, 401, { statusCode: 401, name: 'validation_error', message: 'API key is invalid' });
    return json(res, 200, {
      object: 'list',
      data: [
        {
          id: 'd91cd9bd-1176-453e-8fc1-35364d380206',
          name: 'example.com',
          status: 'verified',
          created_at: '2023-04-26T20:21:26.347412+00:00',
          region: 'us-east-1',
        },
      ],
    });
  });
}

const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

let server: Server;
let baseUrl: string;
const seen: Seen[] = [];
const temps: string[] = [];
before(async () => {
  server = resendDouble(seen);
  baseUrl = `http://127.0.0.1:${await listen(server)}`;
});
after(() => {
  server.close();
  temps.forEach((d) => rmSync(d, { recursive: true, force: true }));
});
const configDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'skene-login-'));
  temps.push(d);
  return join(d, 'config', 'skene');
};

async function login(args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv; dir: string }) {
  let stdout = '';
  let stderr = '';
  const code = await main(['login', ...args], {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    cwd: ROOT,
    env: { SKENE_CONFIG_DIR: opts.dir, RESEND_BASE_URL: baseUrl, ...opts.env },
    isTTY: false,
    readStdin: async () => opts.stdin ?? '',
  });
  return { code, stdout, stderr };
}

describe('skene login', () => {
  it('stores a valid key from stdin with mode 0600, after asking Resend with the key as a bearer token', async () => {
    const dir = configDir();
    seen.length = 0;
    const r = await login([], { stdin: `${VALID}\n`, dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Verified re_****abcd with Resend (1 domain); stored in ${join(dir, 'credentials.json')} (mode 0600).\n`);
    assert.deepEqual(seen, [{ method: 'GET', url: '/domains', authorization: `Bearer ${VALID}` }]);
    const file = join(dir, 'credentials.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(stored.resend.apiKey, VALID);
    assert.ok(!Number.isNaN(Date.parse(stored.resend.verifiedAt)));
    assert.ok(!(r.stdout + r.stderr).includes(VALID), 'the key was echoed');
  });

  it('takes the key from RESEND_API_KEY', async () => {
    const dir = configDir();
    const r = await login([], { env: { RESEND_API_KEY: VALID }, dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')).resend.apiKey, VALID);
  });

  it('refuses an invalid key with a clear message and stores nothing', async () => {
    const dir = configDir();
    const r = await login([], { stdin: INVALID, dir });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'skene login: invalid key: Resend rejected the API key: API key is invalid (HTTP 401 validation_error). Nothing was stored.\n');
    assert.equal(existsSync(join(dir, 'credentials.json')), false);
    assert.ok(!(r.stdout + r.stderr).includes(INVALID));
  });

  it('an invalid key does not replace a stored valid one', async () => {
    const dir = configDir();
    assert.equal((await login([], { stdin: VALID, dir })).code, 0);
    assert.equal((await login([], { stdin: INVALID, dir })).code, 1);
    assert.equal(JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')).resend.apiKey, VALID);
  });

  it('accepts a sending-only key (Resend answers restricted_api_key for /domains)', async () => {
    const dir = configDir();
    const r = await login([], { stdin: SENDING_ONLY, dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Verified re_\*\*\*\*wxyz with Resend \(a sending-only key\)/);
    assert.equal(JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')).resend.sendingOnly, true);
  });

  it('reports a network failure (nothing listening) as such and stores nothing', async () => {
    const closed = createServer();
    const port = await listen(closed);
    await new Promise((r) => closed.close(r));
    const dir = configDir();
    const r = await login([], { stdin: VALID, dir, env: { RESEND_BASE_URL: `http://127.0.0.1:${port}` } });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `skene login: network error: could not reach Resend at http://127.0.0.1:${port} (ECONNREFUSED): check your network connection and RESEND_BASE_URL. Nothing was stored.\n`,
    );
    assert.equal(existsSync(join(dir, 'credentials.json')), false);
    assert.ok(!r.stderr.includes(VALID));
  });

  it('refuses an empty input and something that is not a Resend key, without calling Resend', async () => {
    const dir = configDir();
    seen.length = 0;
    const empty = await login([], { stdin: '\n', dir });
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /no API key was given/);
    const wrong = await login([], { stdin: 'sk_live_notresend', dir });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /is not a Resend API key \(they start with "re_"/);
    assert.ok(!wrong.stderr.includes('sk_live_notresend'));
    assert.equal(seen.length, 0);
    assert.equal(existsSync(join(dir, 'credentials.json')), false);
  });

  it('a key passed as an argument is a usage error that does not echo it', async () => {
    const r = await login([VALID], { dir: configDir() });
    assert.equal(r.code, 2);
    assert.ok(!r.stderr.includes(VALID));
    assert.match(r.stderr, /never from the command line/);
  });

  it('--status shows the key masked; --logout removes it', async () => {
    const dir = configDir();
    const none = await login(['--status'], { dir });
    assert.equal(none.code, 1);
    assert.match(none.stdout, /^Not logged in/);
    await login([], { stdin: VALID, dir });
    const status = await login(['--status'], { dir });
    assert.equal(status.code, 0);
    assert.match(status.stdout, /^Logged in to Resend with re_\*\*\*\*abcd, verified \d{4}-\d\d-\d\dT/);
    assert.ok(!status.stdout.includes(VALID));
    const out = await login(['--logout'], { dir });
    assert.equal(out.code, 0);
    assert.match(out.stdout, /^Logged out/);
    assert.equal(existsSync(join(dir, 'credentials.json')), false);
    assert.equal((await login(['--status'], { dir })).code, 1);
  });

  it('--status warns when the file is readable by others', async () => {
    const dir = configDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'credentials.json'), JSON.stringify({ resend: { apiKey: VALID, verifiedAt: '2026-01-01T00:00:00.000Z' } }), { mode: 0o644 });
    const r = await login(['--status'], { dir });
    assert.equal(r.code, 0);
    assert.match(r.stderr, /readable by others \(mode 0644\)/);
  });

  it('uses XDG_CONFIG_HOME/skene when SKENE_CONFIG_DIR is not set', async () => {
    const xdg = mkdtempSync(join(tmpdir(), 'skene-xdg-'));
    temps.push(xdg);
    const r = await login([], { stdin: VALID, dir: '', env: { SKENE_CONFIG_DIR: '', XDG_CONFIG_HOME: xdg } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(join(xdg, 'skene', 'credentials.json')).mode & 0o777, 0o600);
  });

  it('the built CLI reads the key from a stdin pipe and never prints it', async (t) => {
    const bin = join(ROOT, 'packages/cli/dist/bin.cjs');
    if (!existsSync(bin)) return t.skip('packages/cli/dist/bin.cjs is not built (npm run build)');
    const dir = configDir();
    const child = spawn(process.execPath, [bin, 'login'], {
      env: { PATH: process.env.PATH, SKENE_CONFIG_DIR: dir, RESEND_BASE_URL: baseUrl },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.stdin.end(`${VALID}\n`);
    const code = await new Promise((r) => child.on('close', r));
    assert.equal(code, 0, out);
    assert.match(out, /Verified re_\*\*\*\*abcd with Resend/);
    assert.ok(!out.includes(VALID));
    assert.equal(statSync(join(dir, 'credentials.json')).mode & 0o777, 0o600);
  });

  it('on a terminal, reads the key from a hidden prompt: typed characters are not echoed', async (t) => {
    // node has no pseudo-terminal of its own; python3's pty module provides one.
    const bin = join(ROOT, 'packages/cli/dist/bin.cjs');
    if (!existsSync(bin)) return t.skip('packages/cli/dist/bin.cjs is not built (npm run build)');
    const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p));
    if (!python) return t.skip('python3 (for a pseudo-terminal) is not installed');
    const dir = configDir();
    const script = [
      'import os, pty, sys',
      'pid, fd = pty.fork()',
      'if pid == 0:',
      '    os.execv(sys.argv[1], [sys.argv[1], sys.argv[2], "login"])',
      'out = b""',
      'while not out.rstrip().endswith(b"):"):',
      '    chunk = os.read(fd, 1024)',
      '    if not chunk: break',
      '    out += chunk',
      'os.write(fd, sys.argv[3].encode() + b"\\r")',
      'while True:',
      '    try: chunk = os.read(fd, 1024)',
      '    except OSError: break',
      '    if not chunk: break',
      '    out += chunk',
      'sys.stdout.write(out.decode())',
      'sys.exit(os.waitpid(pid, 0)[1] >> 8)',
    ].join('\n');
    const child = spawn(python, ['-c', script, process.execPath, bin, VALID], {
      env: { PATH: process.env.PATH, SKENE_CONFIG_DIR: dir, RESEND_BASE_URL: baseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise((r) => child.on('close', r));
    assert.equal(code, 0, out);
    assert.match(out, /Resend API key \(input hidden/);
    assert.match(out, /Verified re_\*\*\*\*abcd with Resend/);
    assert.ok(!out.includes(VALID), `the key was echoed: ${out}`);
    assert.equal(JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')).resend.apiKey, VALID);
  });
});
