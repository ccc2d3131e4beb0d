import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidAddress, resolveAddresses } from '@skene/core';

const user = { id: 1, email: 'ada@example.com', name: 'Ada' };

test('`to` defaults to {{user.email}}; `from` from the action wins', () => {
  const r = resolveAddresses({
    action: { from: 'Acme <hello@acme.test>' },
    config: { email: { from: 'c@acme.test' } },
    context: { user },
    env: { SKENE_EMAIL_FROM: 'e@acme.test' },
  });
  assert.deepEqual(r, { to: 'ada@example.com', from: 'Acme <hello@acme.test>', fromSource: 'action', missing: [], problems: [] });
});

test('`from` falls back to email.from in the config, then SKENE_EMAIL_FROM', () => {
  const config = resolveAddresses({ action: {}, config: { email: { from: 'c@acme.test' } }, context: { user }, env: { SKENE_EMAIL_FROM: 'e@acme.test' } });
  assert.equal(config.from, 'c@acme.test');
  assert.equal(config.fromSource, 'config');
  const env = resolveAddresses({ action: {}, config: {}, context: { user }, env: { SKENE_EMAIL_FROM: 'e@acme.test' } });
  assert.equal(env.from, 'e@acme.test');
  assert.equal(env.fromSource, 'env');
});

test('no sender anywhere is reported, not invented', () => {
  const r = resolveAddresses({ action: {}, context: { user }, env: {} });
  assert.equal(r.from, undefined);
  assert.equal(r.to, 'ada@example.com');
  assert.equal(r.problems.length, 1);
  assert.equal(r.problems[0]!.field, 'from');
  assert.equal(r.problems[0]!.kind, 'missing');
  assert.match(r.problems[0]!.message, /SKENE_EMAIL_FROM/);
});

test('a user without an email is a missing recipient', () => {
  const r = resolveAddresses({ action: {}, context: { user: { id: 2, email: null } }, env: { SKENE_EMAIL_FROM: 'e@acme.test' } });
  assert.equal(r.to, undefined);
  assert.deepEqual(r.missing, ['user.email']);
  assert.deepEqual(
    r.problems.map((p) => [p.field, p.kind]),
    [['to', 'missing']],
  );
  assert.match(r.problems[0]!.message, /user\.email/);
});

test('an explicit `to` template is interpolated and validated', () => {
  const ok = resolveAddresses({
    action: { to: '{{row.billing_email}}' },
    context: { user, row: { billing_email: 'bill@acme.test' } },
    env: { SKENE_EMAIL_FROM: 'e@acme.test' },
  });
  assert.equal(ok.to, 'bill@acme.test');
  const bad = resolveAddresses({ action: { to: '{{user.name}}' }, context: { user }, env: { SKENE_EMAIL_FROM: 'e@acme.test' } });
  assert.equal(bad.to, undefined);
  assert.deepEqual(
    bad.problems.map((p) => [p.field, p.kind]),
    [['to', 'invalid']],
  );
});

test('an invalid sender is reported', () => {
  const r = resolveAddresses({ action: { from: 'not an address' }, context: { user }, env: {} });
  assert.equal(r.from, undefined);
  assert.deepEqual(
    r.problems.map((p) => [p.field, p.kind]),
    [['from', 'invalid']],
  );
});

test('isValidAddress accepts plain and named addresses only', () => {
  assert.ok(isValidAddress('a@b.example'));
  assert.ok(isValidAddress('Ada Lovelace <ada@example.com>'));
  assert.ok(isValidAddress('"Acme, Inc" <hello@acme.test>'));
  assert.ok(!isValidAddress('ada'));
  assert.ok(!isValidAddress('ada@localhost'));
  assert.ok(!isValidAddress('a b@example.com'));
  assert.ok(!isValidAddress(''));
});
