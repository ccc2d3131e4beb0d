/** The runner's job identities and options, without a database. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobId, nameUuid, nextCheck, qualifiedTable, retryOptions, stepWatches } from '../../src/run/index.js';

test('job ids: name-based uuids, the same on every worker, one per re-check', () => {
  const id = nameUuid('event:17:welcome/1');
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(nameUuid('event:17:welcome/1'), id);
  assert.notEqual(nameUuid('event:18:welcome/1'), id);
  const event = { kind: 'event' as const, loop: 'welcome', step: 1, eventId: '17', key: 5, occurredAt: '2026-03-02T09:00:00Z', checks: 0 };
  assert.equal(jobId(event), id);
  assert.notEqual(jobId({ ...event, checks: 1 }), id);
  assert.notEqual(jobId({ ...event, checks: 1 }), jobId({ ...event, checks: 2 }));
});

test('a step watches the events of the table its trigger names, schema-qualified sensibly', () => {
  const step = (table: string, event: 'insert' | 'update' = 'insert') => ({ trigger: { type: 'database' as const, table, event } });
  const users = { table_schema: 'public', table_name: 'users', op: 'insert' };
  assert.equal(qualifiedTable('users'), 'public.users');
  assert.equal(qualifiedTable('"crm"."Accounts"'), 'crm.Accounts');
  assert.ok(stepWatches(step('users'), users));
  assert.ok(stepWatches(step('public.users'), users));
  assert.ok(!stepWatches(step('crm.users'), users));
  assert.ok(!stepWatches(step('users', 'update'), users));
  assert.ok(stepWatches(step('crm.Accounts'), { table_schema: 'crm', table_name: 'Accounts', op: 'insert' }));
  assert.ok(!stepWatches({ trigger: { type: 'schedule' as const, cron: '0 9 * * *' } }, users));
  // Resolved by the database (the search_path finds `users` in `app`): the resolution wins.
  const app = new Map([['users', 'app.users']]);
  assert.ok(stepWatches(step('users'), { ...users, table_schema: 'app' }, app));
  assert.ok(!stepWatches(step('users'), users, app));
});

test('recovery as pg-boss retry options; re-checks back off and never pass the deadline', () => {
  assert.deepEqual(retryOptions({ retries: 4, backoff: 'exponential' }), { retryLimit: 4, retryDelay: 1, retryBackoff: true, retryDelayMax: 300 });
  assert.deepEqual(retryOptions({ retries: 2, backoff: 'fixed' }), { retryLimit: 2, retryDelay: 1, retryBackoff: false });
  assert.deepEqual(retryOptions({ retries: 2, backoff: 'linear' }), { retryLimit: 2, retryDelay: 2, retryBackoff: false });
  assert.equal(retryOptions(undefined).retryLimit, 3);
  const at = new Date('2026-03-02T09:00:00Z');
  const deadline = new Date('2026-03-02T09:05:00Z');
  assert.equal(nextCheck(at, 0, deadline).toISOString(), '2026-03-02T09:00:05.000Z');
  assert.equal(nextCheck(at, 2, deadline).toISOString(), '2026-03-02T09:00:20.000Z');
  assert.equal(nextCheck(at, 9, deadline).toISOString(), '2026-03-02T09:05:00.000Z');
});
