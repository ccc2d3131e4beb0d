/**
 * A seed that fails names the file and the line of the failing statement, on every SQL source:
 * PostgreSQL and PGlite count the error position in characters (an emoji is one, a JS string
 * holds it as two units); MariaDB gives no position at all, so the line comes from which statement
 * failed. A seed that is not text is refused by name before it reaches a server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { collectSeedFiles, openSource } from '../../src/sources/index.js';
import { mysqlSeedLocation, splitStatements } from '../../src/sources/mysql-seed.js';
import { writeSeed } from '../plan/helpers.js';

/** Emoji before the error: each counts one character for PostgreSQL, two UTF-16 units in JS. */
const PG_SEED = [
  '-- 🎉🎉🎉 launch data 🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀',
  'CREATE TABLE users (id integer PRIMARY KEY, name text);',
  "INSERT INTO users VALUES (1, '😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀');",
  "INSERT INTO users VALUES (2, '🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈🎈');",
  "INSERT INTO users VALUES (3, 'Ada');",
  "INSERT INTO users VALUES (4, 'Grace');",
  'SELEC 1;',
  "INSERT INTO users VALUES (5, 'never');",
].join('\n');
const PG_LINE = 7;

async function seedError(url: string | undefined, files: Record<string, string>): Promise<{ message: string; file: string }> {
  const dir = writeSeed(files);
  const name = Object.keys(files).at(-1)!;
  const error = await openSource({ url, seeds: [dir] }).then(
    async (source) => {
      await source.close();
      return undefined;
    },
    (e: Error) => e,
  );
  assert.ok(error, 'the seed fails');
  return { message: error.message, file: join(dir, name) };
}

function assertAtLine(result: { message: string; file: string }, line: number) {
  assert.ok(result.message.startsWith(`seed ${result.file}:${line} failed: `), result.message);
}

test('PGlite: the line of a syntax error after lines with emoji', async () => {
  assertAtLine(await seedError(undefined, { '001.sql': PG_SEED }), PG_LINE);
});

test('PostgreSQL: the line of a syntax error after lines with emoji', async (t) => {
  const url = await serviceOrSkip(t, 'postgres');
  if (!url) return;
  assertAtLine(await seedError(url, { '001.sql': PG_SEED }), PG_LINE);
});

/** A MariaDB seed with what splits statements wrongly if read naively: `;` in strings, comments, a trigger body. */
const MYSQL_HEAD = [
  '/*!40101 SET NAMES utf8mb4 */;',
  '-- 🎉 users; and a semicolon in a comment',
  'CREATE TABLE users (id int PRIMARY KEY, name varchar(100), bio text);',
  'CREATE TRIGGER users_trim BEFORE INSERT ON users FOR EACH ROW',
  'BEGIN',
  '  SET NEW.name = TRIM(NEW.name);',
  "  IF NEW.bio IS NULL THEN SET NEW.bio = ''; END IF;",
  'END;',
  "INSERT INTO users VALUES (1, '😀 Ada', 'line one",
  'line two; still the string',
  "line three'), (2, 'Grace', \"it's; fine\");",
  '/* a block comment; with a semicolon */ # and a hash comment;',
  'SELECT COUNT(*) FROM users;',
].join('\n'); // 13 lines

test('MariaDB: the line of the failing statement (no position in its errors)', async (t) => {
  const server = await serviceOrSkip(t, 'mysql');
  if (!server) return;
  await t.test('a duplicate key', async () => {
    const seed = `${MYSQL_HEAD}\n\nINSERT INTO users VALUES (3, 'Linus', NULL);\nINSERT INTO users VALUES (1, 'again', NULL);\n`;
    const result = await seedError(server, { '001.sql': seed });
    assert.match(result.message, /Duplicate entry/);
    assertAtLine(result, 16);
  });
  await t.test('a syntax error on the second line of a statement after a multi-line string', async () => {
    const seed = `${MYSQL_HEAD}\nINSERT INTO users\n  VALUS (3, 'Linus', NULL);\n`;
    const result = await seedError(server, { '001.sql': seed });
    assert.match(result.message, /syntax/);
    assertAtLine(result, 15);
  });
  await t.test('the first statement', async () => {
    assertAtLine(await seedError(server, { '001.sql': '\n\n  INSERT INTO nowhere VALUES (1);\n' }), 3);
  });
});

test('MySQL statements are split where the server splits them', () => {
  const sql = `${MYSQL_HEAD}\nSELECT 'last'`;
  const starts = splitStatements(sql).map((s) => sql.slice(0, s.token).split('\n').length);
  assert.deepEqual(starts, [1, 3, 4, 9, 13, 14]);
  const file = { path: 'seed.sql', text: sql };
  assert.equal(mysqlSeedLocation(file, 4, "Table doesn't exist"), 'seed.sql:13');
  assert.equal(
    mysqlSeedLocation(file, 3, "You have an error in your SQL syntax; check the manual … near 'line two; still' at line 1"),
    'seed.sql:10',
    'the quoted text wins over a line count that skips string newlines',
  );
  assert.equal(mysqlSeedLocation(file, 9, 'anything'), 'seed.sql', 'no such statement: the file alone');
});

test('a seed that is not text is refused by name, before any server sees it', async (t) => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
  const cases: [string, Buffer, RegExp][] = [
    ['logo.sql', png, /seed .*logo\.sql is not text \(it has NUL bytes\)/],
    ['latin1.sql', Buffer.from("INSERT INTO users VALUES (1, 'caf\xe9');", 'latin1'), /seed .*latin1\.sql is not text \(it is not UTF-8\)/],
    ['utf16.sql', Buffer.from('\ufeffSELECT 1;', 'utf16le'), /seed .*utf16\.sql is not text \(it has NUL bytes\)/],
  ];
  for (const [name, bytes, expected] of cases) {
    await t.test(name, async () => {
      const dir = writeSeed({});
      writeFileSync(join(dir, name), bytes);
      await assert.rejects(collectSeedFiles([join(dir, name)], 'pglite'), expected, 'a file named on the command line');
      await assert.rejects(collectSeedFiles([dir], 'postgres'), expected, 'a file in a seed folder');
      await assert.rejects(openSource({ seeds: [dir] }), expected, 'before the embedded database starts');
    });
  }
  await t.test('UTF-8 with a byte order mark is text (the mark is dropped)', async () => {
    const dir = writeSeed({});
    writeFileSync(join(dir, 'bom.sql'), Buffer.from('\ufeffSELECT 1;', 'utf8'));
    const [file] = await collectSeedFiles([dir], 'pglite');
    assert.equal(file!.text, 'SELECT 1;');
  });
});
