import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceError } from '../../src/sources/types.js';
import { backoffDelay, withRetries } from '../../src/plan/retry.js';
import { guardCondition } from '../../src/guard/index.js';
import { loadMysqlParser } from '../../src/sql/mysql.js';
import { loadPostgresParser } from '../../src/sql/postgres.js';
import { findParams, withoutTrailingSemicolon } from '../../src/plan/params.js';
import { cronOccurrences, parseDuration, parseInstant } from '../../src/plan/clock.js';
import { loadConfig } from '../../src/plan/load-config.js';

test('recovery: transient errors are retried with the backoff, permanent ones are not', async () => {
  const waits: number[] = [];
  const sleep = async (ms: number) => void waits.push(ms);
  let calls = 0;
  const flaky = async () => {
    calls++;
    if (calls < 3) throw new SourceError('connection reset', true, 'ECONNRESET', 'connection');
    return 'ok';
  };
  assert.equal(await withRetries(flaky, { retries: 3, backoff: 'exponential' }, { sleep, baseDelayMs: 100 }), 'ok');
  assert.equal(calls, 3);
  assert.equal(waits.length, 2);
  assert.ok(waits[0]! >= 50 && waits[0]! <= 100 && waits[1]! >= 100 && waits[1]! <= 200, `exponential with jitter: ${waits}`);

  calls = 0;
  await assert.rejects(
    withRetries(
      async () => {
        calls++;
        throw new SourceError('syntax error at or near "SELEC"', false, '42601', 'query');
      },
      { retries: 3, backoff: 'fixed' },
      { sleep },
    ),
    (e: Error & { attempts?: number }) => e.attempts === 1,
  );
  assert.equal(calls, 1, 'a permanent error is not retried');

  calls = 0;
  await assert.rejects(
    withRetries(
      async () => {
        calls++;
        throw new SourceError('timeout', true, '57014', 'timeout');
      },
      { retries: 2, backoff: 'linear' },
      { sleep },
    ),
    (e: Error & { attempts?: number }) => e.attempts === 3,
  );
  assert.equal(calls, 3);
  assert.equal(
    backoffDelay('linear', 3, 100, 10_000, () => 1),
    300,
  );
  assert.equal(
    backoffDelay('fixed', 3, 100, 10_000, () => 1),
    100,
  );
  assert.equal(
    backoffDelay('exponential', 10, 100, 2000, () => 1),
    2000,
    'capped',
  );
});

test('read-only guard: PostgreSQL through its parser', async () => {
  await loadPostgresParser();
  const codes = (sql: string) => guardCondition(sql, 'postgres').map((p) => `${p.code} ${p.message}`);
  assert.deepEqual(codes("SELECT * FROM t WHERE note = 'DELETE FROM t' -- DROP TABLE t"), []);
  assert.deepEqual(codes('WITH a AS (SELECT 1) SELECT * FROM a'), []);
  assert.match(codes('DELETE FROM t')[0]!, /^SKN021 the condition is DELETE — a condition is one read-only SELECT/);
  assert.match(codes('SELECT * INTO copy FROM t')[0]!, /^SKN021 .*SELECT … INTO \(it creates a table\)/);
  assert.match(codes('WITH d AS (UPDATE t SET a = 1 RETURNING *) SELECT * FROM d')[0]!, /^SKN021 the condition contains UPDATE/);
  assert.match(codes('SELECT pg_terminate_backend(1)')[0]!, /^SKN026 the function pg_terminate_backend\(\) is not on the read-only allow-list/);
  assert.match(codes('SELECT 1; SELECT 2')[0]!, /^SKN021 the condition has 2 statements/);
});

test('read-only guard: MySQL dialect, outside strings and comments', async () => {
  await loadMysqlParser();
  const codes = (sql: string) => guardCondition(sql, 'mysql').map((p) => `${p.code} ${p.message}`);
  assert.deepEqual(codes("SELECT REPLACE(name, 'a', 'b'), TRUNCATE(score, 2) FROM t WHERE note = 'DROP TABLE t' # delete"), []);
  assert.deepEqual(codes('SELECT CAST(x AS CHAR CHARACTER SET utf8mb4) FROM `update`'), []);
  assert.deepEqual(codes('SELECT 1;'), []);
  assert.match(codes('DROP TABLE users')[0]!, /^SKN021 the condition is DROP/);
  assert.match(codes('SELECT 1; DELETE FROM users')[0]!, /^SKN021 the condition has more than one statement/);
  assert.match(codes('SELECT * FROM users INTO OUTFILE "/tmp/x"')[0]!, /^SKN021 SELECT … INTO writes a file/);
  assert.match(codes('WITH x AS (SELECT 1) DELETE FROM users')[0]!, /^SKN021 /);
});

test('$1 is found by the parser (not in strings) and replaced', async () => {
  await loadPostgresParser();
  const pg = findParams("SELECT '$1' AS s FROM a WHERE id = $1 AND b = $1::int", 'postgres');
  assert.equal(pg.highest, 1);
  assert.equal(pg.replace('t.id'), "SELECT '$1' AS s FROM a WHERE id = t.id AND b = t.id::int");
  const my = findParams("SELECT '$1' FROM a WHERE id = $1 AND c = $2", 'mysql');
  assert.equal(my.highest, 2);
  assert.equal(my.replace('7'), "SELECT '$1' FROM a WHERE id = 7 AND c = $2");
});

test('a final semicolon is dropped, one inside a string or comment is not', () => {
  assert.equal(withoutTrailingSemicolon('SELECT 1; -- note'), 'SELECT 1 -- note');
  assert.equal(withoutTrailingSemicolon("SELECT ';' -- x;"), "SELECT ';' -- x;");
  assert.equal(withoutTrailingSemicolon('SELECT 1'), 'SELECT 1');
});

test('durations, instants and cron occurrences in [at, at + horizon)', () => {
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('7d'), 604_800_000);
  assert.equal(parseDuration('soon'), undefined);
  assert.equal(parseInstant('2026-03-02T09:00:00Z')!.toISOString(), '2026-03-02T09:00:00.000Z');
  assert.equal(parseInstant('2026-03-02T11:00:00+02:00')!.toISOString(), '2026-03-02T09:00:00.000Z');
  assert.equal(parseInstant('2026-03-02')!.toISOString(), '2026-03-02T00:00:00.000Z');
  assert.equal(parseInstant('2026-03-02T09:00')!.toISOString(), '2026-03-02T09:00:00.000Z', 'no zone means UTC, not the machine zone');
  assert.equal(parseInstant('tomorrow'), undefined);
  assert.equal(parseInstant('2026-13-45T00:00:00Z'), undefined);
  const at = new Date('2026-03-02T09:00:00Z');
  assert.deepEqual(
    cronOccurrences('0 9 * * *', undefined, at, 86_400_000).map((d) => d.toISOString()),
    ['2026-03-02T09:00:00.000Z'],
    'at is included, at + horizon is not',
  );
  assert.deepEqual(
    cronOccurrences('0 9 * * 1', 'America/New_York', at, 7 * 86_400_000).map((d) => d.toISOString()),
    ['2026-03-02T14:00:00.000Z'],
  );
});

test('loading a config: compiled, validated, with clear one-line errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-load-'));
  const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
  const ok = await loadConfig(
    file(
      'ok.ts',
      `import { defineLoop } from '@skene/sdk';\nconst table: string = 'users';\nexport default [defineLoop({ type: 'activation', opinion: 'x', steps: [{ trigger: { type: 'database', table, event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'welcome' } }] })];\n`,
    ),
  );
  assert.deepEqual(
    ok.loops.map((l) => l.id),
    ['activation-1'],
  );
  assert.equal(ok.dir, dir);
  await assert.rejects(loadConfig(file('syntax.ts', 'export default {\n  loops: [\n')), /^ConfigError: cannot compile .*syntax\.ts: .*syntax\.ts:3:1: /);
  await assert.rejects(
    loadConfig(file('invalid.ts', `export default { loops: [{ type: 'activaton', opinion: 'x', steps: [] }] };`)),
    /is not a valid Skene config: loops\.0\.type: /,
  );
  await assert.rejects(loadConfig(file('nodefault.ts', 'export const x = 1;')), /has no default export/);
});

test('a wall time skipped by daylight saving fires once after the gap, also for a plan pinned there', () => {
  // Berlin, 2026-03-29: 02:00 CET → 03:00 CEST; 02:30 does not exist and fires at 03:30 (01:30Z).
  const day = cronOccurrences('30 2 * * *', 'Europe/Berlin', new Date('2026-03-28T23:00:00Z'), 86_400_000);
  assert.deepEqual(
    day.map((d) => d.toISOString()),
    ['2026-03-29T01:30:00.000Z'],
  );
  const pinned = cronOccurrences('30 2 * * *', 'Europe/Berlin', new Date('2026-03-29T01:30:00Z'), 1000);
  assert.deepEqual(
    pinned.map((d) => d.toISOString()),
    ['2026-03-29T01:30:00.000Z'],
  );
  // October: 02:30 happens twice (CEST, then CET); it fires once, at the first.
  const october = cronOccurrences('30 2 * * *', 'Europe/Berlin', new Date('2026-10-24T22:00:00Z'), 86_400_000);
  assert.equal(october.length, 1);
  // A frequent cron from a pinned instant starts at that instant, not three hours before it.
  assert.deepEqual(
    cronOccurrences('*/30 * * * *', 'UTC', new Date('2026-03-02T09:00:00Z'), 3_600_000).map((d) => d.toISOString()),
    ['2026-03-02T09:00:00.000Z', '2026-03-02T09:30:00.000Z'],
  );
});
