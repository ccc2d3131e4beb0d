import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPostgresParser, pinPostgresClock } from '../../src/sources/postgres-clock.js';

const at = new Date('2026-03-02T09:00:00Z');
const ts = "('2026-03-02T09:00:00.000Z'::timestamptz)";

test('now(), CURRENT_TIMESTAMP and friends become the pinned instant', async () => {
  await loadPostgresParser();
  const { sql, replaced } = pinPostgresClock(
    'SELECT now(), NOW( ), CURRENT_TIMESTAMP, current_timestamp(3), CURRENT_DATE, LOCALTIMESTAMP, localtime, pg_catalog.now(), transaction_timestamp() FROM t',
    at,
  );
  assert.equal(replaced, 9);
  assert.equal(
    sql,
    `SELECT ${ts}, ${ts}, ${ts}, ${ts}, (${ts.slice(1, -1)}::date), (${ts.slice(1, -1)}::timestamp), (${ts.slice(1, -1)}::time), ${ts}, ${ts} FROM t`,
  );
});

test('clock reads inside strings, comments, identifiers and other schemas are left alone', async () => {
  await loadPostgresParser();
  const input = `SELECT 'now()' AS a, "now" AS b, myschema.now() AS c -- now()\nFROM t /* CURRENT_DATE */ WHERE x < now() - INTERVAL '7 days'`;
  const { sql, replaced } = pinPostgresClock(input, at);
  assert.equal(replaced, 1);
  assert.equal(sql, input.replace('x < now()', `x < ${ts}`));
});

test('offsets are bytes in the parser but characters in JavaScript: non-ASCII text before a now() is kept intact', async () => {
  await loadPostgresParser();
  const input = "SELECT 'Zoë Ekström ✓' AS name, now() AS at";
  assert.equal(pinPostgresClock(input, at).sql, `SELECT 'Zoë Ekström ✓' AS name, ${ts} AS at`);
});

test('SQL the parser rejects is returned unchanged (the database reports the error)', async () => {
  await loadPostgresParser();
  assert.deepEqual(pinPostgresClock('SELEC now()', at), { sql: 'SELEC now()', replaced: 0 });
});
