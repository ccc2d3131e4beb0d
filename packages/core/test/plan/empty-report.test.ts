/** emptyReport: the base a pull request that adds the config is compared with (the Action's compare-base). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareReports, emptyReport, type PlanReport } from '../../src/index.js';

describe('emptyReport', () => {
  it('a report with no loops, at a fixed instant unless given one', () => {
    const r = emptyReport();
    assert.equal(r.format, 'skene-plan');
    assert.equal(r.version, 1);
    assert.deepEqual(r.loops, []);
    assert.equal(r.totals.emails, 0);
    assert.equal(r.clock.at, '1970-01-01T00:00:00.000Z');
    assert.equal(r.clock.horizon, '1d');
    assert.equal(emptyReport({ at: '2026-03-02T09:00:00.000Z', config: 'skene.config.ts' }).clock.at, '2026-03-02T09:00:00.000Z');
  });

  it('compared with it, every email of a plan is added', () => {
    const email = { id: 'e1', to: 'a@example.com', from: 'f@example.com', template: 't', props: {}, at: '2026-03-02T09:00:00.000Z' };
    const head = {
      ...emptyReport(),
      loops: [{ id: 'l', type: 'activation', opinion: 'o', counts: { events: 1, emails: 1, waiting: 0, skipped: 0, errors: 0 }, steps: [{ emails: [email] }] }],
    } as unknown as PlanReport;
    assert.deepEqual(compareReports(head, emptyReport(), 'base'), { base: 'base', added: ['e1'], removed: [], changed: [], unchanged: 0 });
  });
});
