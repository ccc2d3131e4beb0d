/**
 * The order every source lists emails in: integer keys numerically, anything else by code
 * point after them, whatever order the database returned.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareKeys, sortByKey } from '../../src/plan/values.js';

test('integer keys sort as numbers, before other keys, which sort by code point', () => {
  const keys = ['10', 'a', '9', '-', '-1', '1a', '007', '', 'B', '99999999999999999999'];
  assert.deepEqual(
    sortByKey(keys, (k) => k),
    ['-1', '007', '9', '10', '', '-', '1a', '99999999999999999999', 'B', 'a'],
  );
});

test('sortByKey returns a sorted permutation, by group first, for any keys', () => {
  const key = fc.oneof(fc.integer({ min: -1e6, max: 1e6 }).map(String), fc.string({ maxLength: 6 }), fc.constantFrom('-', '-0', '00', '1e3', ' 1'));
  fc.assert(
    fc.property(fc.array(fc.record({ k: key, g: fc.constantFrom('a', 'b') }), { maxLength: 40 }), (items) => {
      const sorted = sortByKey(
        items,
        (i) => i.k,
        (i) => i.g,
      );
      assert.deepEqual(
        [...sorted].sort((x, y) => (x.g < y.g ? -1 : x.g > y.g ? 1 : compareKeys(x.k, y.k))),
        sorted,
      );
      assert.deepEqual([...sorted].map((i) => `${i.g}:${i.k}`).sort(), items.map((i) => `${i.g}:${i.k}`).sort());
      for (let i = 1; i < sorted.length; i++) {
        const [a, b] = [sorted[i - 1]!, sorted[i]!];
        if (a.g === b.g && /^-?\d+$/.test(a.k) && /^-?\d+$/.test(b.k)) assert.ok(Number(a.k) <= Number(b.k), `${a.k} before ${b.k}`);
      }
    }),
    { numRuns: 500 },
  );
});
