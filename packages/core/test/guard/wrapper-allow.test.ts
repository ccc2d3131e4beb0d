/**
 * The batched statement around a condition is guarded again (wrapper.ts), and its verdict is
 * remembered per text: the config's allowFunctions decide that verdict, so they are part of what
 * is remembered. A condition one config vouches for stays refused for a config that does not.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPostgresParser } from '../../src/sql/postgres.js';
import { GuardRefusal } from '../../src/guard/index.js';
import { conditionBatchQuery } from '../../src/plan/sql.js';

before(() => loadPostgresParser());

const text = 'SELECT u.id FROM users u WHERE u.id = $1 AND shop_score(u.id) > 3';
const condition = (allowFunctions?: string[]) => ({ text, replace: (key: string) => text.replace('$1', key), allowFunctions });

test('a function one config vouches for is refused for the next config that does not, and the other way round', () => {
  const refusal = (allowFunctions?: string[]) => {
    try {
      conditionBatchQuery('postgres', 'users', 'id', condition(allowFunctions), [1, 2]);
      return undefined;
    } catch (error) {
      assert.ok(error instanceof GuardRefusal, String(error));
      return error.problem.code;
    }
  };
  assert.equal(refusal(['shop_score']), undefined, 'vouched for: the statement runs');
  assert.equal(refusal(), 'SKN026', 'not vouched for: refused, although the same text was allowed just before');
  assert.equal(refusal(['other']), 'SKN026');
  assert.equal(refusal(['SHOP_SCORE ']), undefined, 'names are matched as the config writes them, trimmed and in any case');
});
