import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { carriesUnsubscribe, defineConfig, defineLoop, normalizeConfig } from '@skene/sdk';

const step = {
  trigger: { type: 'database', table: 'users', event: 'insert' },
  action: { type: 'email', provider: 'resend', template: 'welcome' },
} as const;

describe('goals, consent and limits in the schema', () => {
  test('a loop declares a SQL or Redis goal with a window', () => {
    const query = "SELECT 1 FROM user_actions WHERE user_id = $1 AND action_type = 'invited_teammate'";
    assert.doesNotThrow(() => defineLoop({ type: 'activation', opinion: 'x', steps: [step], goal: { type: 'query', query, within: '7d' } }));
    assert.doesNotThrow(() =>
      defineLoop({ type: 'activation', opinion: 'x', steps: [step], goal: { type: 'redis', command: ['SISMEMBER', 'a:{{user.id}}', 'b'], within: '2h' } }),
    );
  });

  test('a goal without a window, or with a window that is not a duration, is refused at its path', () => {
    const bad = (goal: unknown) => () => defineLoop({ type: 'activation', opinion: 'x', steps: [step], goal: goal as never });
    assert.throws(bad({ type: 'query', query: 'SELECT 1' }), (e: Error) => /goal/.test(e.message) && /within/.test(e.message));
    assert.throws(bad({ type: 'query', query: 'SELECT 1', within: '7 days' }), (e: Error) => /within/.test(e.message));
  });

  test('unsubscribe defaults by loop type, and an explicit value wins', () => {
    assert.equal(carriesUnsubscribe({ type: 'retention' }), true);
    assert.equal(carriesUnsubscribe({ type: 'expansion' }), true);
    assert.equal(carriesUnsubscribe({ type: 'activation' }), false);
    assert.equal(carriesUnsubscribe({ type: 'milestone', unsubscribe: true }), true);
    assert.equal(carriesUnsubscribe({ type: 'retention', unsubscribe: false }), false);
  });

  test('limits and unsubscribe options survive normalisation; a bad cap or an http link is refused', () => {
    const config = normalizeConfig({
      loops: [{ type: 'retention', opinion: 'x', steps: [step] }],
      limits: { perUser: { emails: 1, per: '1d' } },
      email: { unsubscribe: { url: 'https://skene.example.com', mailto: 'unsubscribe@example.com' } },
    });
    assert.deepEqual(config.limits, { perUser: { emails: 1, per: '1d' } });
    assert.equal(config.email?.unsubscribe?.url, 'https://skene.example.com');
    const loops = [{ type: 'retention' as const, opinion: 'x', steps: [step] }];
    assert.throws(() => defineConfig({ loops, limits: { perUser: { emails: 0, per: '1d' } } }), /emails/);
    assert.throws(() => defineConfig({ loops, email: { unsubscribe: { url: 'http://skene.example.com' } } }), /https/);
  });
});
