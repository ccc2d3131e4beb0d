/**
 * The five product pages in ../shared/seeds are the first users of the config language: every
 * snippet validates unchanged — except TiDB's, whose PostgreSQL INTERVAL the MySQL dialect rejects,
 * which must be reported exactly, with the fix.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT, skene } from './helpers/cli.js';
// @ts-expect-error plain .mjs script shared with the fixture extraction
import { seedSnippets } from '../scripts/extract-seed-snippets.mjs';

const SEEDS = join(ROOT, '..', 'shared', 'seeds');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'seeds');
const STACKS = ['upstash', 'nextjs-upstash-clerk', 'hasura', 'tidb', 'nestjs-postgres-stripe'];

describe('seed snippets', () => {
  test("the committed fixtures are the pages' snippets, byte for byte", (t) => {
    if (!existsSync(SEEDS)) {
      if (process.env.SKENE_REQUIRE_SHARED === '1') assert.fail(`../shared/seeds not found beside the repo (${SEEDS})`);
      t.skip('SKIPPED: ../shared/seeds is not beside this checkout');
      return;
    }
    const snippets = seedSnippets(SEEDS) as { file: string; snippet: string }[];
    assert.equal(snippets.length, STACKS.length);
    snippets.forEach((s, i) => {
      assert.equal(readFileSync(join(FIXTURES, STACKS[i], 'skene.config.ts'), 'utf8'), s.snippet, `${s.file} differs from test/fixtures/seeds/${STACKS[i]}`);
    });
  });

  for (const stack of STACKS.filter((s) => s !== 'tidb')) {
    test(`${stack}: checks clean`, () => {
      const { status, stdout, stderr } = skene(['check', join(FIXTURES, stack, 'skene.config.ts'), '--format', 'json']);
      assert.equal(stderr, '');
      assert.deepEqual(JSON.parse(stdout), []);
      assert.equal(status, 0);
    });
  }

  test('tidb: clean as PostgreSQL, and under --dialect mysql exactly the INTERVAL problem, with the fix', () => {
    const file = join(FIXTURES, 'tidb', 'skene.config.ts');
    assert.equal(skene(['check', file]).status, 0);
    const { status, stdout } = skene(['check', file, '--dialect', 'mysql', '--format', 'json']);
    assert.equal(status, 1);
    const diagnostics = JSON.parse(stdout);
    assert.deepEqual(
      diagnostics.map((d: { code: string; line: number; column: number; endLine: number; endColumn: number }) => [
        d.code,
        d.line,
        d.column,
        d.endLine,
        d.endColumn,
      ]),
      [['SKN023', 15, 70, 15, 87]],
    );
    const line = readFileSync(file, 'utf8').split('\n')[14];
    assert.equal(line.slice(69, 86), "INTERVAL '7 days'");
    assert.match(diagnostics[0].message, /Write `INTERVAL 7 DAY`/);

    const text = skene(['check', file, '--dialect', 'mysql']).stdout;
    assert.match(text, /skene\.config\.ts:15:70 - error SKN023: /);
    assert.match(text, /fix: Rewrite as MySQL: INTERVAL 7 DAY/);
  });

  test('tidb: the dialect follows a mysql:// database URL (flag or DATABASE_URL)', () => {
    const file = join(FIXTURES, 'tidb', 'skene.config.ts');
    assert.equal(skene(['check', file, '--database-url', 'mysql://root@127.0.0.1:3306/test']).status, 1);
    assert.equal(skene(['check', file], { env: { DATABASE_URL: 'mysql://u:secret@db.example:4000/app' } }).status, 1);
    assert.equal(skene(['check', file], { env: { DATABASE_URL: 'postgres://u@localhost/app' } }).status, 0);
  });
});
