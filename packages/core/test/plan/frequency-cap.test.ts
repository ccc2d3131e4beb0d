/**
 * The frequency cap's pass over a plan (plan/frequency-cap.ts), on reports built here: who wins a
 * slot (due first; at one instant the loop declared first, then the lower step, then the email
 * id), the window counted back from each send, the reasons and notes, the counts, and emails the
 * run would fail without a call taking no slot.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeConfig } from '@skene/sdk';
import { applyFrequencyCap, FREQUENCY_CAP } from '../../src/plan/frequency-cap.js';
import type { LoadedConfig } from '../../src/plan/load-config.js';
import { emptyCounts, type LoopReport, type PlannedEmail, type StepReport } from '../../src/report/model.js';

const T = '2026-03-02T09:00:00.000Z';
const later = (minutes: number) => new Date(Date.parse(T) + minutes * 60_000).toISOString();

function email(id: string, to: string, at = T, extra: Partial<PlannedEmail> = {}): PlannedEmail {
  const [, , key] = id.split('/');
  return {
    id,
    key: key!.split('@')[0]!,
    at,
    to,
    from: 'Acme <hi@acme.example>',
    subject: 'Hi',
    template: 'welcome',
    props: {},
    html: '<p>hi</p>',
    problems: [],
    ...extra,
  };
}

function step(stepNo: number, emails: PlannedEmail[]): StepReport {
  return {
    step: stepNo,
    trigger: { type: 'database', table: 'users', event: 'insert' },
    template: 'welcome',
    counts: { ...emptyCounts(), events: emails.length, emails: emails.length },
    notSent: [],
    emails,
    errors: [],
  };
}

function loop(id: string, steps: StepReport[]): LoopReport {
  return { id, type: 'retention', opinion: id, counts: emptyCounts(), steps };
}

function config(limits?: { emails: number; per: string }): LoadedConfig {
  return { ...normalizeConfig({ loops: [], ...(limits ? { limits: { perUser: limits } } : {}) }), file: 'skene.config.ts', dir: '.' };
}

const ids = (loops: LoopReport[]) => loops.flatMap((l) => l.steps.flatMap((s) => s.emails.map((e) => e.id)));
const capped = (s: StepReport) => s.notSent.find((n) => n.reason === FREQUENCY_CAP);

test('at one instant the loop declared first wins the slot; the capped email says which email took it', async () => {
  const loops = [
    loop('welcome', [step(1, [email('welcome/1/1', 'ann@example.com'), email('welcome/1/2', 'bo@example.com')])]),
    loop('digest', [step(1, [email('digest/1/1', 'ANN@example.com '), email('digest/1/3', 'cy@example.com')])]),
  ];
  await applyFrequencyCap({ loops, config: config({ emails: 1, per: '1d' }) });
  assert.deepEqual(ids(loops), ['welcome/1/1', 'welcome/1/2', 'digest/1/3']);
  const digest = loops[1]!.steps[0]!;
  assert.deepEqual(digest.notSent, [{ reason: FREQUENCY_CAP, count: 1, examples: ['1'], notes: ['slot taken by welcome/1/1'] }]);
  assert.deepEqual(digest.counts, { events: 2, emails: 1, waiting: 0, skipped: 1, errors: 0 });
  assert.equal(loops[0]!.steps[0]!.notSent.length, 0);
});

test('the email due first wins over the loop declared first; then the lower step, then the email id', async () => {
  const loops = [
    loop('welcome', [step(1, [email('welcome/1/1', 'ann@example.com', later(5))]), step(2, [email('welcome/2/1', 'bo@example.com')])]),
    loop('digest', [
      step(1, [email('digest/1/1', 'ann@example.com'), email('digest/1/2', 'bo@example.com')]),
      step(2, [email('digest/2/9', 'cy@example.com'), email('digest/2/10', 'cy@example.com')]),
    ]),
  ];
  await applyFrequencyCap({ loops, config: config({ emails: 1, per: '1d' }) });
  // Ann: digest is due 5 minutes earlier. Bo: same instant, welcome declared first. Cy: one step, ids in string order.
  assert.deepEqual(ids(loops).sort(), ['digest/1/1', 'digest/2/10', 'welcome/2/1']);
  assert.deepEqual(capped(loops[0]!.steps[0]!)?.notes, ['slot taken by digest/1/1']);
  assert.deepEqual(capped(loops[1]!.steps[0]!)?.notes, ['slot taken by welcome/2/1']);
  assert.deepEqual(capped(loops[1]!.steps[1]!)?.examples, ['9']);

  // The same emails with the loops declared the other way round: Bo's slot changes hands, Ann's does not.
  const swapped = [
    loop('digest', [step(1, [email('digest/1/1', 'ann@example.com'), email('digest/1/2', 'bo@example.com')])]),
    loop('welcome', [step(1, [email('welcome/1/1', 'ann@example.com', later(5))]), step(2, [email('welcome/2/1', 'bo@example.com')])]),
  ];
  await applyFrequencyCap({ loops: swapped, config: config({ emails: 1, per: '1d' }) });
  assert.deepEqual(ids(swapped).sort(), ['digest/1/1', 'digest/1/2']);
});

test('the window is counted back from each send, its start excluded; a cap of 2 keeps two', async () => {
  const occurrences = [0, 60, 120, 24 * 60, 24 * 60 + 30];
  const loops = [
    loop('digest', [
      step(
        1,
        occurrences.map((m) => email(`digest/1/1@${later(m)}`, 'ann@example.com', later(m))),
      ),
    ]),
  ];
  await applyFrequencyCap({ loops, config: config({ emails: 2, per: '1d' }) });
  // 09:00 and 10:00 are sent; 11:00 is capped; 09:00 the next day sees only 10:00 in its day; 09:30 then is full.
  assert.deepEqual(
    loops[0]!.steps[0]!.emails.map((e) => e.at),
    [later(0), later(60), later(24 * 60)],
  );
  assert.equal(capped(loops[0]!.steps[0]!)?.count, 2);
  assert.deepEqual(capped(loops[0]!.steps[0]!)?.notes, [`slot taken by digest/1/1@${later(60)}`, `slot taken by digest/1/1@${later(24 * 60)}`]);
});

test('an email the run would fail without a call (no sender) takes no slot; without limits nothing changes', async () => {
  const loops = [
    loop('welcome', [step(1, [email('welcome/1/1', 'ann@example.com', T, { from: undefined, problems: ['no sender'] })])]),
    loop('digest', [step(1, [email('digest/1/1', 'ann@example.com')])]),
  ];
  await applyFrequencyCap({ loops, config: config({ emails: 1, per: '1d' }) });
  assert.deepEqual(ids(loops), ['welcome/1/1', 'digest/1/1']);

  // A row the condition returns twice is one email (one id), as the run sends it: not its own competitor.
  const twice = [loop('digest', [step(1, [email('digest/1/1', 'ann@example.com'), email('digest/1/1', 'ann@example.com')])])];
  await applyFrequencyCap({ loops: twice, config: config({ emails: 1, per: '1d' }) });
  assert.deepEqual(ids(twice), ['digest/1/1', 'digest/1/1']);

  const uncapped = [loop('a', [step(1, [email('a/1/1', 'ann@example.com'), email('a/1/2', 'ann@example.com')])])];
  await applyFrequencyCap({ loops: uncapped, config: config() });
  assert.deepEqual(ids(uncapped), ['a/1/1', 'a/1/2']);
  assert.deepEqual(uncapped[0]!.steps[0]!.notSent, []);
});
