import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_LOOPS, createUnsubscribeToken, verifyUnsubscribeToken } from '../../src/plan/unsubscribe-token.js';

const SECRET = 'a-test-secret-of-more-than-32-characters';
const ada = { address: 'ada@example.com', scope: 'winback' };

test('a token is deterministic, and verifies to its address and scope', () => {
  const token = createUnsubscribeToken(SECRET, ada);
  assert.equal(createUnsubscribeToken(SECRET, ada), token, 'the plan and the run make the same link');
  assert.equal(createUnsubscribeToken(SECRET, { ...ada, address: '  ADA@Example.COM ' }), token, 'the address is normalised');
  assert.match(token, /^[A-Za-z0-9_-]+$/, 'base64url: safe in a URL path');
  assert.deepEqual(verifyUnsubscribeToken(SECRET, token), ada);
  const all = createUnsubscribeToken(SECRET, { ...ada, scope: ALL_LOOPS });
  assert.notEqual(all, token);
  assert.deepEqual(verifyUnsubscribeToken(SECRET, all), { ...ada, scope: ALL_LOOPS });
  assert.notEqual(createUnsubscribeToken(SECRET, { ...ada, address: 'bob@example.com' }), token);
});

test('the address is not in clear in the token', () => {
  const token = createUnsubscribeToken(SECRET, ada);
  const bytes = Buffer.from(token, 'base64url').toString('latin1');
  for (const part of ['ada', 'example', 'winback']) {
    assert.ok(!token.includes(part), `not in the token: ${part}`);
    assert.ok(!bytes.includes(part), `not in its bytes: ${part}`);
  }
});

test('any altered byte is refused, and so is every other secret', () => {
  const token = createUnsubscribeToken(SECRET, ada);
  const bytes = Buffer.from(token, 'base64url');
  for (let i = 0; i < bytes.length; i++) {
    for (const flip of [0x01, 0x80]) {
      const altered = Buffer.from(bytes);
      altered[i]! ^= flip;
      assert.equal(verifyUnsubscribeToken(SECRET, altered.toString('base64url')), undefined, `byte ${i} ^ ${flip}`);
    }
  }
  assert.equal(verifyUnsubscribeToken(SECRET, token.slice(0, -1)), undefined, 'truncated');
  assert.equal(verifyUnsubscribeToken(SECRET, `${token}A`), undefined, 'extended');
  assert.equal(verifyUnsubscribeToken('another-secret-of-more-than-32-chars!', token), undefined, 'another secret');
  for (const junk of ['', 'x', '../etc/passwd', 'a'.repeat(5000), 'AQ', '%41%42']) assert.equal(verifyUnsubscribeToken(SECRET, junk), undefined, junk);
});

test('a token made by hand from the same parts without the secret is refused', () => {
  // Same layout (version, 12-byte IV, ciphertext, tag), random bytes: nothing verifies without the key.
  for (let i = 0; i < 200; i++) {
    const forged = Buffer.concat([Buffer.from([1]), Buffer.from(Array.from({ length: 60 }, () => Math.floor(Math.random() * 256)))]);
    assert.equal(verifyUnsubscribeToken(SECRET, forged.toString('base64url')), undefined);
  }
});
