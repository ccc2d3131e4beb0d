import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from 'skene';

const FIXTURES = fileURLToPath(new URL('../../packages/core/test/fixtures/projects/', import.meta.url));
const temps: string[] = [];
after(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'skene-prompt-'));
  temps.push(d);
  return d;
};

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(['prompt', ...args], {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    cwd: FIXTURES,
    env: { PATH: process.env.PATH, ...env },
    isTTY: false,
  });
  return { code, stdout, stderr };
}

describe('skene prompt', () => {
  it('prints the prompt for the folder given', async () => {
    const r = await run(['hasura']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.ok(
      r.stdout.startsWith(
        '@task: Initialize Skene.\n@action: Analyze my local code, validating subscription via `npx skene login`, and generate `skene.config.ts` to implement the Retention Loop pattern for Hasura.\n',
      ),
    );
  });

  it('--pattern overrides the pattern', async () => {
    const r = await run(['upstash', '--pattern', 'activation']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /implement the Activation Loop pattern for Upstash\./);
  });

  it('--format json: stack, pattern, reason, evidence, prompt', async () => {
    const r = await run(['nextjs-upstash-clerk', '--format', 'json']);
    assert.equal(r.code, 0);
    const j = JSON.parse(r.stdout);
    assert.equal(j.stack, 'Next.js + Upstash Redis + Clerk');
    assert.equal(j.pattern, 'activation');
    assert.match(j.reason, /Clerk/);
    assert.ok(j.evidence.some((e: { name: string; file: string; line: number }) => e.name === 'Clerk' && e.file === 'package.json' && e.line === 11));
    assert.match(j.prompt, /Activation Loop pattern for Next\.js \+ Upstash Redis \+ Clerk\./);
  });

  it('an empty folder: a clear message on stderr, exit 1, no invented prompt', async () => {
    const r = await run([temp()]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^skene prompt: No stack detected in /);
    const j = await run([temp(), '--format', 'json']);
    assert.equal(j.code, 1);
    assert.equal(JSON.parse(j.stdout).prompt, null);
    assert.equal(JSON.parse(j.stdout).stack, null);
  });

  it('bad input: one clear line and exit 2', async () => {
    const missing = await run(['no-such-project']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^skene prompt: no such folder: no-such-project\n/);
    const pattern = await run(['tidb', '--pattern', 'growth']);
    assert.equal(pattern.code, 2);
    assert.match(pattern.stderr, /--pattern must be one of activation, retention, adoption, milestone, referral, expansion, not 'growth'/);
    const flag = await run(['tidb', '--bogus']);
    assert.equal(flag.code, 2);
    assert.doesNotMatch(flag.stderr, /\n\s+at /, 'no stack trace');
  });

  it('--copy pipes the prompt to the clipboard tool found on PATH', async () => {
    const bin = temp();
    const out = join(temp(), 'clipboard.txt');
    const xclip = join(bin, 'xclip');
    writeFileSync(xclip, `#!/bin/sh\nPATH=/usr/bin:/bin\necho "$@" > "${out}.args"\ncat > "${out}"\n`);
    chmodSync(xclip, 0o755);
    const r = await run(['tidb', '--copy'], { PATH: bin });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Copied the Skene prompt \(Retention Loop pattern for TiDB\) to the clipboard with xclip\.\n$/);
    assert.ok(readFileSync(out, 'utf8').startsWith('@task: Initialize Skene.\n'));
    assert.equal(readFileSync(`${out}.args`, 'utf8').trim(), '-selection clipboard');
  });

  it('--copy with no clipboard tool says so, prints the prompt instead, exit 1', async () => {
    const empty = temp();
    mkdirSync(join(empty, 'bin'));
    const r = await run(['tidb', '--copy'], { PATH: join(empty, 'bin') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /could not copy to the clipboard: no clipboard tool found \(looked for xclip, xsel, wl-copy, clip\.exe on PATH\)/);
    assert.ok(r.stdout.startsWith('@task: Initialize Skene.\n'));
  });

  it('--copy reports a failing clipboard tool (no display) as such', async () => {
    const bin = temp();
    writeFileSync(join(bin, 'xclip'), '#!/bin/sh\nPATH=/usr/bin:/bin\ncat > /dev/null\necho "Error: Can\'t open display: (null)" >&2\nexit 1\n');
    chmodSync(join(bin, 'xclip'), 0o755);
    const r = await run(['tidb', '--copy'], { PATH: bin });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /xclip failed: Error: Can't open display/);
  });

  it('a secret in .env never reaches the prompt, its JSON, or the files init writes', async () => {
    const dir = temp();
    cpSync(join(FIXTURES, 'nestjs-postgres-stripe'), dir, { recursive: true });
    const secret = 'sk_live_51SuperSecretValue0000';
    writeFileSync(
      join(dir, '.env'),
      `STRIPE_SECRET_KEY=${secret}\nDATABASE_URL=postgres://admin:${secret}@db.internal.example:5432/prod\nRESEND_API_KEY=re_${secret}\n`,
    );
    const text = await run([dir]);
    const json = await run([dir, '--format', 'json']);
    assert.equal(text.code, 0);
    assert.equal(json.code, 0);
    for (const out of [text.stdout, text.stderr, json.stdout, json.stderr]) {
      assert.ok(!out.includes(secret), 'secret leaked');
      assert.ok(!out.includes('db.internal.example'), 'host from .env leaked');
    }
    let stdout = '';
    const code = await main(['init', dir], { stdout: (s) => (stdout += s), stderr: (s) => (stdout += s), cwd: dir, env: {}, isTTY: false });
    assert.equal(code, 0, stdout);
    assert.ok(!stdout.includes(secret));
    const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
    for (const file of walk(dir).filter((f) => !f.endsWith('.env'))) assert.ok(!readFileSync(file, 'utf8').includes(secret), `${file} has the secret`);
  });

  it('a project with a config and a seed: update it, check the login with --status, and name the seed', async () => {
    const dir = temp();
    cpSync(join(FIXTURES, 'hasura'), dir, { recursive: true });
    writeFileSync(join(dir, 'skene.config.ts'), 'export default [];\n');
    mkdirSync(join(dir, 'seed', 'postgres'), { recursive: true });
    writeFileSync(join(dir, 'seed', 'postgres', '001_users.sql'), 'CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);\n');
    const r = await run([dir]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(
      lines[1],
      '@action: Analyze my local code, validating subscription via `npx skene login`, and update `skene.config.ts` to implement the Retention Loop pattern for Hasura.',
    );
    assert.match(lines[3]!, /^@login: first run `npx skene login --status`/);
    assert.match(r.stdout, /ask me to run `npx skene login` in my terminal/);
    assert.match(r.stdout, /^- Seed: `seed` is the project's seed/m);
    assert.doesNotMatch(r.stdout, /skene\/seed\.sql/);
  });
});
