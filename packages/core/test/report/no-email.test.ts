/** A step with no email says why, in one sentence the text report and the editor's plan view share. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { noEmailReason, type StepReport } from '../../src/report/model.ts';
import { email, report } from './fixtures.ts';

const counts = (c: Partial<StepReport['counts']>): StepReport['counts'] => ({ events: 0, emails: 0, waiting: 0, skipped: 0, errors: 0, ...c });
const db = { type: 'database' as const, table: 'users', event: 'insert' };
const schedule = (n: number) => ({
  type: 'schedule' as const,
  cron: '0 9 * * *',
  timezone: 'UTC',
  occurrences: Array.from({ length: n }, () => '2026-03-02T09:00:00Z'),
});
const error = { loop: 'l', step: 1, kind: 'query', message: 'boom', attempts: 1 };

describe('noEmailReason', () => {
  it('says nothing when the step has emails', () => {
    assert.equal(noEmailReason({ trigger: db, counts: counts({ events: 2, emails: 1, waiting: 1 }), notSent: [], errors: [] }), undefined);
  });
  it('names each reason nothing was sent', () => {
    assert.equal(noEmailReason({ trigger: db, counts: counts({}), notSent: [], errors: [] }), 'no email: users has no rows');
    assert.equal(
      noEmailReason({
        trigger: db,
        counts: counts({ events: 3, waiting: 3 }),
        notSent: [{ reason: 'waiting: condition not met', count: 3, examples: [] }],
        errors: [],
      }),
      'no email: the condition never held (3 rows waiting)',
    );
    assert.equal(
      noEmailReason({ trigger: schedule(0), counts: counts({}), notSent: [], errors: [] }),
      'no email: the schedule has no occurrence between the plan clock and the horizon',
    );
    assert.equal(
      noEmailReason({ trigger: schedule(2), counts: counts({}), notSent: [], errors: [] }),
      'no email: the condition returned no rows at any of the 2 occurrences',
    );
    assert.equal(
      noEmailReason({ trigger: db, counts: counts({ events: 2, skipped: 2 }), notSent: [{ reason: 'no email address', count: 2, examples: [] }], errors: [] }),
      'no email: every event was held back — no email address (2)',
    );
    assert.equal(noEmailReason({ trigger: db, counts: counts({ errors: 1 }), notSent: [], errors: [error] }), 'no email: the step failed (its error is above)');
  });
});

describe('the PR comment', () => {
  it('says why a step has no email, under the step', () => {
    const md = renderMarkdown(report([]));
    assert.match(md, /\*\*Step 1\*\* .*: 0 emails, 2 waiting\n\n_no email: the condition never held \(2 rows waiting\)_\n/);
    assert.doesNotMatch(renderMarkdown(report([email('1')])), /no email:/);
  });
});
