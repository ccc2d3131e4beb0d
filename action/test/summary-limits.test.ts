/**
 * The job summary of a large config, from source (action/src/summary.ts): 5,000 loops. Both
 * tables are cut to fit GitHub's 1 MiB, and each cut says what it left out (steps, loops), not
 * only emails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PlanReport } from '@skene/core';
import { summaryMarkdown } from '../src/summary.js';

function largeReport(loops: number): PlanReport {
  const counts = { events: 1, emails: 0, waiting: 1, skipped: 0, errors: 0 };
  return {
    format: 'skene-plan',
    version: 1,
    clock: { at: '2026-03-02T09:00:00.000Z', pinned: true, horizon: '1d' },
    source: { kind: 'pglite', label: 'embedded PostgreSQL (PGlite)', seeds: [] },
    config: 'skene.config.ts',
    recipients: 'masked',
    totals: { loops, steps: loops, ...counts, events: loops, waiting: loops },
    loops: Array.from({ length: loops }, (_, i) => ({
      id: `a-rather-long-loop-identifier-number-${i}`,
      type: 'retention',
      opinion: 'Re-engage idle users',
      counts,
      steps: [
        {
          step: 1,
          trigger: { type: 'schedule' as const, cron: '0 9 * * *', timezone: 'Europe/Helsinki', occurrences: ['2026-03-02T07:00:00.000Z'] },
          template: 're_engagement_with_a_long_template_name',
          counts,
          notSent: [],
          emails: [],
          errors: [],
        },
      ],
    })),
    warnings: [],
  };
}

test('5,000 loops: the summary fits 1 MiB and says how many steps and loops its tables left out', () => {
  const report = largeReport(5000);
  const md = summaryMarkdown(
    { report, emails: 0, source: 'embedded PostgreSQL (PGlite)' },
    { config: 'skene.config.ts', clock: { at: report.clock.at, source: 'the `at` input' }, seeds: [], checkWarnings: 0 },
  );
  assert.ok(Buffer.byteLength(md) <= 1024 * 1024, `${Buffer.byteLength(md)} bytes`);
  const steps = md.match(/^\| `a-rather-long-loop-identifier-number-\d+` \| 1 \|/gm)?.length ?? 0;
  const loops = md.match(/^\| `a-rather-long-loop-identifier-number-\d+` \| retention \|/gm)?.length ?? 0;
  assert.ok(steps > 0 && steps < 5000 && loops > 0 && loops < 5000, `${steps} step rows, ${loops} loop rows`);
  assert.match(md, new RegExp(`Showing ${steps} of 5000 steps in the table, 0 of 0 emails: the rest do not fit`));
  assert.match(md, new RegExp(`\\| … and ${5000 - loops} more loops \\(${loops} of 5000 shown; the JSON report has every loop\\)`));
});
