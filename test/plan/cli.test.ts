/**
 * `skene plan` as a user meets it: bad input gives one clear line and a non-zero exit (never a
 * stack trace, never a hang, never a password); a good run is reproducible byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../packages/cli/src/main.js';

const root = new URL('../..', import.meta.url).pathname;
const EXAMPLE = ['--config', 'examples/upstash/skene.config.ts', '--seed', 'examples/upstash/seed'];

async function plan(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(['plan', ...args], {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    cwd: root,
    env: { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>', ...env },
    isTTY: false,
  });
  return { code, stdout, stderr };
}

function assertOneLine(stderr: string, pattern: RegExp) {
  const first = stderr.split('\n')[0]!;
  assert.match(first, pattern);
  assert.ok(!/\n\s+at /.test(stderr), `no stack trace: ${stderr}`);
}

test('bad input: one clear line and a non-zero exit', async (t) => {
  await t.test('a missing config', async () => {
    const r = await plan(['--config', 'nope/skene.config.ts']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'skene plan: config not found: nope/skene.config.ts\n');
  });
  await t.test('no config in the folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skene-empty-'));
    const r = await main(['plan'], {
      stdout: () => {},
      stderr: (s) => assertOneLine(s, /^skene plan: no skene\.config\.ts in .*: pass --config/),
      cwd: dir,
      env: {},
      isTTY: false,
    });
    assert.equal(r, 1);
  });
  await t.test('a bad --at is a usage error (exit 2)', async () => {
    const r = await plan([...EXAMPLE, '--at', 'next tuesday']);
    assert.equal(r.code, 2);
    assertOneLine(r.stderr, /^skene plan: --at must be an ISO 8601 time such as 2026-03-02T09:00:00Z, not 'next tuesday'$/);
  });
  await t.test('a bad --horizon and --format', async () => {
    assert.equal((await plan([...EXAMPLE, '--horizon', 'soon'])).code, 2);
    assert.equal((await plan([...EXAMPLE, '--format', 'yaml'])).code, 2);
  });
  await t.test('an unsupported URL scheme', async () => {
    const r = await plan([...EXAMPLE, '--database-url', 'ftp://me:hunter2@example.com/db']);
    assert.equal(r.code, 1);
    assertOneLine(r.stderr, /^skene plan: unsupported database URL ftp:\/\/me:\*\*\*@example\.com\/db: use postgres:\/\//);
    assert.ok(!r.stderr.includes('hunter2'));
  });
  for (const [example, url] of [
    ['upstash', 'postgres://app:hunter2@127.0.0.1:1/app'],
    ['tidb', 'mysql://app:hunter2@127.0.0.1:1/app'],
    ['upstash', 'redis://:hunter2@127.0.0.1:1'],
  ] as const) {
    await t.test(`an unreachable database: ${url.split(':')[0]}`, async () => {
      const r = await plan(['--config', `examples/${example}/skene.config.ts`, '--seed', `examples/${example}/seed`, '--database-url', url]);
      assert.equal(r.code, 1);
      assertOneLine(r.stderr, /^skene plan: cannot connect to [a-z]+:\/\/.*\*\*\*@127\.0\.0\.1:1/);
      assert.ok(!r.stderr.includes('hunter2'), r.stderr);
    });
  }
  await t.test('an Upstash REST URL without its token', async () => {
    const r = await plan(['--config', 'examples/upstash/skene.redis.config.ts', '--database-url', 'https://eu1-example.upstash.io']);
    assert.equal(r.code, 1);
    assertOneLine(r.stderr, /UPSTASH_REDIS_REST_TOKEN/);
  });
  await t.test('a seed folder without files for the source', async () => {
    const r = await plan(['--config', 'examples/upstash/skene.config.ts', '--seed', 'examples/upstash/seed', '--database-url', 'mysql://root@127.0.0.1:1/x']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'skene plan: seed folder examples/upstash/seed has no .sql files (it has postgres/, redis/; for a mysql source, put them in mysql/)\n',
    );
  });
  await t.test('a seed error that quotes an address: masked on stderr unless recipients are shown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skene-seed-mask-'));
    const seed = join(dir, 'seed.sql');
    writeFileSync(seed, "CREATE TABLE users (id integer PRIMARY KEY, email text);\nINSERT INTO users VALUES ('Noor.Rahman@Example.com', 'x');\n");
    const masked = await plan(['--config', 'examples/upstash/skene.config.ts', '--seed', seed]);
    assert.equal(masked.code, 1);
    assertOneLine(masked.stderr, /^skene plan: seed .*seed\.sql:2 failed: invalid input syntax for type integer: "N\*\*\*@Example\.com"$/);
    assert.ok(!/noor/i.test(masked.stderr), masked.stderr);
    const shown = await plan(['--config', 'examples/upstash/skene.config.ts', '--seed', seed, '--show-recipients']);
    assert.match(shown.stderr, /"Noor\.Rahman@Example\.com"/);
  });
  await t.test('a seed path that does not exist', async () => {
    const r = await plan(['--config', 'examples/upstash/skene.config.ts', '--seed', 'examples/upstash/no-such-seed']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'skene plan: seed not found: examples/upstash/no-such-seed\n');
  });
});

test('the same --at gives byte-identical JSON; Markdown and --compare', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-cli-'));
  const a = join(dir, 'a.json');
  const b = join(dir, 'b.json');
  const first = await plan([...EXAMPLE, '--at', '2026-03-02T09:00:00Z', '--format', 'json', '--out', a]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, `3 emails would be sent, 3 waiting, 0 errors — report written to ${a}\n`);
  assert.equal((await plan([...EXAMPLE, '--at', '2026-03-02T09:00:00Z', '--format', 'json', '--out', b])).code, 0);
  assert.equal(readFileSync(a, 'utf8'), readFileSync(b, 'utf8'));
  const report = JSON.parse(readFileSync(a, 'utf8'));
  assert.equal(report.clock.pinned, true);
  assert.equal(report.recipients, 'masked');
  assert.ok(!readFileSync(a, 'utf8').includes('ada@example.com'), 'recipients masked');

  const shown = await plan([...EXAMPLE, '--at', '2026-03-02T09:00:00Z', '--format', 'json', '--show-recipients']);
  assert.ok(shown.stdout.includes('"to": "ada@example.com"'));

  const md = await plan([...EXAMPLE, '--at', '2026-03-02T09:00:00Z', '--format', 'markdown']);
  assert.match(md.stdout, /^## Skene plan: 3 emails would be sent/);
  assert.equal(md.stdout.match(/<details>/g)?.length, 3);

  // A base where Ada's email did not exist and Alan's subject differed; an email only the base had.
  const base = JSON.parse(readFileSync(a, 'utf8'));
  const emails = base.loops[0].steps[0].emails;
  emails.find((e: { key: string }) => e.key === '3').subject = 'Old subject';
  const ada = emails.findIndex((e: { key: string }) => e.key === '1');
  emails[ada] = { ...emails[ada], id: 'activation-welcome/1/42', key: '42' };
  writeFileSync(join(dir, 'base.json'), JSON.stringify(base));
  const compared = await plan([...EXAMPLE, '--at', '2026-03-02T09:00:00Z', '--format', 'json', '--compare', join(dir, 'base.json')]);
  assert.deepEqual(JSON.parse(compared.stdout).comparison, {
    base: join(dir, 'base.json'),
    added: ['activation-welcome/1/1'],
    removed: ['activation-welcome/1/42'],
    changed: [{ id: 'activation-welcome/1/3', fields: ['subject'] }],
    unchanged: 1,
  });
  const text = await plan([...EXAMPLE, '--at', '2026-03-02T09:00:00Z', '--compare', join(dir, 'base.json')]);
  assert.match(text.stdout, /compared with .*base\.json: \+1 added, -1 removed, ~1 changed, 1 unchanged/);
  assert.ok(!text.stdout.includes('\x1b['), 'no colours when not a TTY');
});

test('without --at the text report says the clock is not pinned', async () => {
  const r = await plan(EXAMPLE);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\(clock not pinned\)/);
  assert.match(r.stdout, /! clock not pinned: planned at the current time/);
});
