/** A small plan report to render: one loop, one step, the given emails. */
import type { PlanReport, PlannedEmail } from '../../src/report/index.js';

export function email(key: string, overrides: Partial<PlannedEmail> = {}): PlannedEmail {
  return {
    id: `welcome/1/${key}`,
    key,
    at: '2026-03-02T09:00:00.000Z',
    to: `user${key}@example.com`,
    from: 'Acme <hello@acme.example>',
    subject: `Welcome, user${key}@example.com`,
    template: 'welcome',
    props: { name: `User ${key}`, email: `user${key}@example.com` },
    html: `<p>Hi User ${key} (user${key}@example.com)</p>`,
    text: `Hi User ${key} (user${key}@example.com)`,
    problems: [],
    ...overrides,
  };
}

export function report(emails: PlannedEmail[], extra: Partial<PlanReport> = {}): PlanReport {
  const counts = { events: emails.length + 2, emails: emails.length, waiting: 2, skipped: 0, errors: 0 };
  return {
    format: 'skene-plan',
    version: 1,
    clock: { at: '2026-03-02T09:00:00.000Z', pinned: true, horizon: '1d' },
    source: { kind: 'pglite', label: 'embedded PostgreSQL (PGlite)', seeds: [] },
    config: 'skene.config.ts',
    recipients: 'shown',
    totals: { loops: 1, steps: 1, ...counts },
    loops: [
      {
        id: 'welcome',
        type: 'activation',
        opinion: 'Welcome new users',
        counts,
        steps: [
          {
            step: 1,
            trigger: { type: 'database', table: 'users', event: 'insert' },
            template: 'welcome',
            counts,
            notSent: [{ reason: 'waiting: condition not met', count: 2, examples: ['8', '9'] }],
            emails,
            errors: [],
          },
        ],
      },
    ],
    warnings: [],
    ...extra,
  };
}
