/**
 * `skene plan` refuses a pinned time that does not exist (JavaScript's Date would roll February 30
 * over to March 2 and plan there), and its one-line summary with --out counts in English.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../packages/cli/src/main.js';
import { readInstant } from '../../packages/core/src/plan/clock.js';
import { writeWelcomeProject } from '../../packages/core/test/plan/helpers.js';

const root = new URL('../..', import.meta.url).pathname;
const EXAMPLE = ['--config', 'examples/upstash/skene.config.ts', '--seed', 'examples/upstash/seed'];

async function plan(args: string[], cwd = root) {
  let stdout = '';
  let stderr = '';
  const code = await main(['plan', ...args], {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    cwd,
    env: { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' },
    isTTY: false,
  });
  return { code, stdout, stderr };
}

test('--at and --since refuse times that do not exist (exit 2, which field, no plan)', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['--at', '2026-02-30T00:00:00Z', /February 2026 has 28 days/],
    ['--at', '2028-02-30', /February 2028 has 29 days/],
    ['--at', '2026-04-31T09:00:00Z', /April 2026 has 30 days/],
    ['--at', '2026-01-01T24:00:00Z', /hours go from 00 to 23, not 24/],
    ['--at', '2026-13-01T00:00:00Z', /there is no month 13/],
    ['--at', '2026-01-01T09:60:00Z', /minutes go from 00 to 59, not 60/],
    ['--at', '2026-01-01T09:00:00+25:00', /the offset \+25:00 does not exist/],
    ['--since', '2026-02-29T00:00:00Z', /February 2026 has 28 days/],
  ];
  for (const [flag, value, reason] of cases) {
    await t.test(`${flag} ${value}`, async () => {
      const r = await plan([...EXAMPLE, flag, value]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '', 'nothing is planned');
      const line = r.stderr.split('\n')[0]!; // then the usage
      assert.ok(line.startsWith(`skene plan: ${flag} ${value} is not a time that exists: `), line);
      assert.match(line, reason);
    });
  }
});

test('times that exist still parse, leap days and offsets included', () => {
  const iso = (text: string) => {
    const read = readInstant(text);
    assert.ok('date' in read, `${text}: ${JSON.stringify(read)}`);
    return read.date.toISOString();
  };
  assert.equal(iso('2028-02-29T12:00:00Z'), '2028-02-29T12:00:00.000Z');
  assert.equal(iso('2000-02-29'), '2000-02-29T00:00:00.000Z');
  assert.equal(iso('2026-12-31T23:59:59.999+02:00'), '2026-12-31T21:59:59.999Z');
  assert.deepEqual(readInstant('1900-02-29'), { problem: 'February 1900 has 28 days' }, 'a century is a leap year only every 400 years');
  assert.deepEqual(readInstant('next tuesday'), {}, 'not ISO 8601 at all: no field to blame');
});

test('the --out summary says "1 email", not "1 emails"', async () => {
  const dir = writeWelcomeProject('skene-one-email-', {
    'seed.sql':
      "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL);\nINSERT INTO users VALUES (1, 'ada@example.com', 'Ada');\n",
  });
  const r = await plan(['--seed', 'seed.sql', '--at', '2026-03-02T09:00:00Z', '--format', 'json', '--out', 'report.json'], dir);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { totals: { emails: number } };
  assert.equal(report.totals.emails, 1);
  assert.equal(r.stdout, '1 email would be sent, 0 waiting, 0 errors — report written to report.json\n');
});
