/**
 * Hasura's event triggers into `skene run --listen` (`POST /hasura`), against the real PostgreSQL:
 * a delivery is recorded as a captured event (keyed by the table's primary key, as the capture
 * trigger keys it) and wakes the runner; Hasura's redeliveries of one event are one event; a wrong
 * or missing secret, a payload that is not Hasura's, and an unknown table are refused with the reason.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import pg from 'pg';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { migrate, type CaptureConfig } from '../../src/run/index.js';
import { startListener, startRunListener, SECRET_HEADER } from '../../src/run/listen.js';
import { parseHasuraEvent } from '../../src/run/hasura.js';
import { makeConfig, tempPostgresDatabase } from '../plan/helpers.js';
import { harness, TEMPLATES } from './runner-helpers.js';

const SECRET = 's3cret-for-hasura';
const CONFIG: CaptureConfig = { loops: [{ id: 'welcome', steps: [{ trigger: { type: 'database', table: 'users', event: 'insert' } }] }] };

/** A delivery as Hasura posts it (https://hasura.io/docs/latest/event-triggers/payload/). */
function delivery(id: string, row: Record<string, unknown>, op = 'INSERT') {
  return {
    event: {
      session_variables: { 'x-hasura-role': 'admin' },
      op,
      data: { old: op === 'INSERT' ? null : row, new: op === 'DELETE' ? null : row },
      trace_context: {},
    },
    created_at: '2026-03-02T09:00:00.000Z',
    id,
    delivery_info: { max_retries: 3, current_retry: 0 },
    trigger: { name: 'skene_users' },
    table: { schema: 'public', name: 'users' },
  };
}

async function setUp(t: TestContext) {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return undefined;
  const url = await tempPostgresDatabase(t, server, 'skene_hasura');
  const admin = new pg.Client({ connectionString: url });
  admin.on('error', () => {});
  await admin.connect();
  t.after(() => admin.end().catch(() => {}));
  await admin.query('CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL)');
  await migrate({ config: CONFIG, databaseUrl: url });
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => {});
  t.after(() => pool.end());
  const lines: string[] = [];
  const listener = await startListener({
    host: '127.0.0.1',
    port: 0,
    hasuraSecret: SECRET,
    query: (sql, params) => pool.query(sql, params),
    log: (l) => lines.push(l),
  });
  t.after(() => listener.close());
  const post = (body: unknown, secret: string | null = SECRET) =>
    fetch(`${listener.url}/hasura`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret === null ? {} : { [SECRET_HEADER]: secret }) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const events = async () => (await admin.query('SELECT source_id, table_name, op, key, row FROM skene.events ORDER BY id')).rows;
  return { admin, post, events, lines };
}

test('one Hasura event delivered three times is one captured event, and wakes the runner once', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  await s.admin.query('LISTEN skene_events');
  const notified: string[] = [];
  s.admin.on('notification', (n) => notified.push(n.payload ?? ''));
  const row = { id: 7, email: 'noor@example.com' };
  const answers = [];
  for (let i = 0; i < 3; i++) {
    const response = await s.post(delivery('8f9c2a1e-0000-4000-8000-000000000001', row));
    answers.push({ status: response.status, body: (await response.json()) as { event: string; duplicate: boolean } });
  }
  assert.deepEqual(
    answers.map((a) => [a.status, a.body.duplicate]),
    [
      [200, false],
      [200, true],
      [200, true],
    ],
  );
  assert.equal(new Set(answers.map((a) => a.body.event)).size, 1);
  assert.deepEqual(await s.events(), [{ source_id: 'hasura:8f9c2a1e-0000-4000-8000-000000000001', table_name: 'users', op: 'insert', key: 7, row }]);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(notified, [answers[0]!.body.event]);
  assert.ok(!s.lines.join('\n').includes('noor@'), 'the log holds no row');
});

test('a wrong or missing secret is refused and records nothing', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  for (const secret of ['wrong', null, `${SECRET}x`, '']) {
    const response = await s.post(delivery('e1', { id: 1, email: 'a@example.com' }), secret);
    assert.equal(response.status, 401, JSON.stringify(secret));
  }
  assert.deepEqual(await s.events(), []);
});

test('what is not a Hasura event of a known table is a 400 with the reason', async (t) => {
  const s = await setUp(t);
  if (!s) return;
  const cases: [unknown, RegExp][] = [
    ['{not json', /not JSON/],
    [{ table: { name: 'users' }, event: { op: 'INSERT', data: { new: {} } } }, /no event id/],
    [{ ...delivery('e2', { id: 2 }), event: { op: 'TRUNCATE', data: {} } }, /event\.op is "TRUNCATE"/],
    [{ ...delivery('e3', { id: 3 }), table: { schema: 'public', name: 'nope' } }, /public\.nope has no primary key \(or does not exist\)/],
  ];
  for (const [body, says] of cases) {
    const response = await s.post(body);
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { error: string }).error, says);
  }
  assert.deepEqual(await s.events(), []);
});

test('a delete is keyed by the old row; a manual invocation counts as an insert', () => {
  assert.deepEqual(parseHasuraEvent(delivery('d', { id: 4, email: 'x@example.com' }, 'DELETE')), {
    sourceId: 'hasura:d',
    tableSchema: 'public',
    tableName: 'users',
    op: 'delete',
    row: { id: 4, email: 'x@example.com' },
  });
  assert.equal(parseHasuraEvent(delivery('m', { id: 5 }, 'MANUAL')).op, 'insert');
});

test('through the runner: Hasura delivering one signup three times sends one email', async (t) => {
  const config = makeConfig(
    {
      loops: [
        {
          id: 'welcome',
          type: 'activation',
          opinion: 'Welcome every signup',
          steps: [
            {
              trigger: { type: 'database', table: 'users', event: 'insert' },
              action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.email}}' } },
            },
          ],
        },
      ],
    },
    TEMPLATES,
  );
  t.after(() => config.cleanup());
  // Capture by Hasura, not by skene migrate's triggers: the trigger on users is dropped again.
  const h = await harness(t, config, 'CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL)');
  if (!h) return;
  await h.client.query('DROP TRIGGER skene_capture ON users');
  await h.client.query(`INSERT INTO users VALUES (7, 'noor@example.com')`);
  const listener = await startRunListener({ databaseUrl: h.url, listen: '127.0.0.1:0', hasuraSecret: SECRET });
  t.after(() => listener.close());
  for (let i = 0; i < 3; i++) {
    const response = await fetch(`${listener.url}/hasura`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SECRET_HEADER]: SECRET },
      body: JSON.stringify(delivery('4c1d0a3b-0000-4000-8000-000000000007', { id: 7, email: 'noor@example.com' })),
    });
    assert.equal(response.status, 200);
  }
  const refused = await fetch(`${listener.url}/hasura`, { method: 'POST', headers: { [SECRET_HEADER]: 'nope' }, body: '{}' });
  assert.equal(refused.status, 401);
  await h.run({ at: new Date() });
  assert.deepEqual(
    h.double.delivered.map((d) => d.email.to),
    ['noor@example.com'],
  );
});
