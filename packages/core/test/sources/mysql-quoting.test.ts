/**
 * The guard lexes MySQL-dialect text with the default quoting; a session whose sql_mode reads quotes
 * or backslashes otherwise (ANSI_QUOTES, NO_BACKSLASH_ESCAPES) would run a different statement.
 * The plan's session turns those flags off, so what the guard read — and the keys the engine
 * quotes — mean the same to the server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { useGuardQuoting } from '../../src/sources/mysql.js';
import { mysqlLiteral } from '../../src/plan/sql.js';

test('MariaDB: a session with ANSI_QUOTES and NO_BACKSLASH_ESCAPES is set back to the quoting the guard reads', async (t) => {
  const url = await serviceOrSkip(t, 'mysql');
  if (!url) return;
  const connection = await mysql.createConnection(url);
  t.after(() => connection.end());
  await connection.query("SET SESSION sql_mode = 'ANSI_QUOTES,NO_BACKSLASH_ESCAPES,STRICT_TRANS_TABLES'");
  // Under these modes a key the engine quotes could end its string early: the injection is real.
  const key = "x' OR '1' = '1' #";
  const before = await connection.query(`SELECT ${mysqlLiteral(key)} AS k`).then(
    ([rows]) => (rows as { k: unknown }[])[0]!.k,
    (error: Error) => error.message,
  );
  assert.notEqual(before, key, 'under NO_BACKSLASH_ESCAPES the quoted key is not one string');
  await useGuardQuoting(connection);
  const [[mode]] = (await connection.query('SELECT @@SESSION.sql_mode AS mode')) as unknown as [{ mode: string }[]];
  assert.equal(mode!.mode, 'STRICT_TRANS_TABLES', 'the other flags are kept');
  const [after] = await connection.query(`SELECT ${mysqlLiteral(key)} AS k`);
  assert.equal((after as { k: unknown }[])[0]!.k, key, 'the quoted key is one string again');
});
