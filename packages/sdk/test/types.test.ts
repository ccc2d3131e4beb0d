/**
 * Type-level checks: `npm run lint` type-checks this file, and each `@ts-expect-error` fails the
 * lint if TypeScript stops reporting the error (the types would have stopped guarding the config).
 */
import { test } from 'node:test';
import { defineLoop, type Loop } from '@skene/sdk';

const step = { trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'welcome' } } as const;

test('types accept a valid loop and reject typos', () => {
  const ok: Loop = { type: 'activation', opinion: 'x', steps: [step] };
  void ok;
  // @ts-expect-error 'activaton' is not a loop type
  const badType: Loop = { type: 'activaton', opinion: 'x', steps: [step] };
  void badType;
  const check = () =>
    defineLoop({
      type: 'retention',
      opinion: 'x',
      // @ts-expect-error the backoff enum is typed
      recovery: { retries: 1, backoff: 'exponentail' },
      steps: [step],
    });
  void check;
});
