/**
 * A database URL that does not parse says which part is wrong and what the URL should look like
 * ("Invalid URL" alone names none), and never repeats the password.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskUrl, sourceKindOf } from '../../src/sources/url.js';

const SECRET = 's3cr/t';

function refusal(url: string): string {
  try {
    sourceKindOf(url);
  } catch (error) {
    const message = (error as Error).message;
    assert.ok(!message.includes('s3cr'), `no password in: ${message}`);
    assert.ok(!/Invalid URL/.test(message), message);
    return message;
  }
  assert.fail(`${url} was accepted`);
}

test('an unparsable database URL names the wrong part and the expected form', async (t) => {
  const cases: [string, RegExp, RegExp][] = [
    [
      `postgres://app:${SECRET}@db.example.com:5432/app`,
      /password has a character URLs reserve .* percent-encode it \(\/ → %2F/,
      /Expected postgres:\/\/user:password@host:5432\/database$/,
    ],
    ['postgres://app:p#ss-s3cr@db.example.com/app', /password has a character URLs reserve/, /Expected postgres:\/\//],
    ['mysql://root:pa?s3cr@127.0.0.1/test', /password has a character URLs reserve/, /Expected mysql:\/\/user:password@host:3306\/database$/],
    ['redis://:s3cr@t/x@127.0.0.1:6379', /password has a character URLs reserve/, /Expected redis:\/\/:password@host:6379\/0/],
    ['postgres://app:s3cret@db.example.com:54x2/app', /the port '54x2' is not a number/, /Expected postgres:\/\//],
    ['mysql://root:s3cret@127.0.0.1:99999/test', /the port 99999 is above 65535/, /Expected mysql:\/\//],
    ['postgres://app:s3cret@db example.com/app', /the host 'db example\.com' is not a valid host name/, /Expected postgres:\/\//],
  ];
  for (const [url, part, expected] of cases) {
    await t.test(maskUrl(url), () => {
      const message = refusal(url);
      assert.match(message, /^database URL .+ does not parse: /);
      assert.match(message, part);
      assert.match(message, expected);
    });
  }
});

test('URLs that are fine still pass, an @ in the query included', () => {
  assert.equal(sourceKindOf('postgres://app:s3cr%2Ft@db.example.com:5432/app?sslmode=require'), 'postgres');
  assert.equal(sourceKindOf('mysql://root@127.0.0.1:3306/test?user=ops@example.com'), 'mysql');
  assert.equal(sourceKindOf('rediss://default:tok@eu1.upstash.io:6379'), 'redis');
  assert.equal(sourceKindOf('https://eu1-fine-fox.upstash.io'), 'upstash');
});

test('an unparsable URL is masked up to its last @', () => {
  assert.equal(maskUrl(`postgres://app:${SECRET}@db.example.com/app`), 'postgres://app:***@db.example.com/app');
  assert.equal(maskUrl('postgres://app:a@b/c@db.example.com/app'), 'postgres://app:***@db.example.com/app');
});
