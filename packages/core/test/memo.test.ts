import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Memo } from '../src/memo.js';

test('a memo computes each text once, an undefined value too', () => {
  const memo = new Memo<string | undefined>(10);
  let computed = 0;
  const find = (key: string) => memo.get(key, () => (computed++, key === 'none' ? undefined : key.toUpperCase()));
  assert.equal(find('a'), 'A');
  assert.equal(find('a'), 'A');
  assert.equal(find('none'), undefined);
  assert.equal(find('none'), undefined);
  assert.equal(computed, 2);
});

test('a full memo starts again: it never holds more than its bound', () => {
  const memo = new Memo<number>(3);
  let computed = 0;
  for (const key of ['a', 'b', 'c']) memo.get(key, () => ++computed);
  assert.equal(
    memo.get('a', () => ++computed),
    1,
    'kept while under the bound',
  );
  memo.get('d', () => ++computed); // the fourth clears the first three
  assert.equal(computed, 4);
  assert.equal(
    memo.get('a', () => ++computed),
    5,
    'computed afresh after the clear',
  );
  assert.equal(
    memo.get('d', () => ++computed),
    4,
    'the newest survives the clear',
  );
});
