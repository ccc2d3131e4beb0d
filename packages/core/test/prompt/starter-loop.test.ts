/**
 * The starter's seams: a loop is an object printed by one printer, and identifiers go through
 * core's one quoting function (bare only where a person reading the SQL needs no quotes).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { printLoop, RECOVERY, resendEmail } from '../../src/starter/loop.js';
import { quoteIdent, readableIdent } from '../../src/sql/identifiers.js';

describe('starter loops', () => {
  it('prints a loop object as the config literal, comments and one-line Redis condition included', () => {
    const text = printLoop({
      id: 'welcome',
      type: 'activation',
      opinion: 'Welcome users',
      step: {
        note: 'A note above the trigger.',
        trigger: { type: 'database', table: 'users', event: 'insert' },
        condition: { type: 'redis', command: ['SISMEMBER', 'set', '{{user.id}}'], timeout: '5m', note: 'Holds when in the set.' },
        action: resendEmail('welcome', { name: '{{user.name}}' }, '{{row.mail}}'),
      },
      recovery: RECOVERY,
    });
    assert.equal(
      text,
      [
        '{',
        "  id: 'welcome',",
        "  type: 'activation',",
        "  opinion: 'Welcome users',",
        '  steps: [',
        '    {',
        '      // A note above the trigger.',
        "      trigger: { type: 'database', table: 'users', event: 'insert' },",
        '      // Holds when in the set.',
        "      condition: { type: 'redis', command: ['SISMEMBER', 'set', '{{user.id}}'], timeout: '5m' },",
        '      action: {',
        "        type: 'email',",
        "        provider: 'resend',",
        "        template: 'welcome',",
        "        to: '{{row.mail}}',",
        '        personalization: {',
        "          name: '{{user.name}}',",
        '        },',
        '      },',
        '    },',
        '  ],',
        "  recovery: { retries: 3, backoff: 'exponential' },",
        '}',
      ].join('\n'),
    );
  });

  it('quotes identifiers with the engine’s function, bare where no quotes are needed', () => {
    assert.equal(readableIdent('postgres', 'users'), 'users');
    assert.equal(readableIdent('postgres', 'user'), '"user"');
    assert.equal(readableIdent('mysql', 'order'), '`order`');
    assert.equal(readableIdent('postgres', 'createdAt'), '"createdAt"');
    assert.equal(quoteIdent('postgres', 'public.users'), '"public"."users"');
    assert.equal(quoteIdent('mysql', 'a`b'), '`a``b`');
  });
});
