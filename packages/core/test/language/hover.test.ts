/**
 * Hover at `|` markers (the character right of the marker is hovered): field docs from the schema,
 * cron in words with the next occurrences in the step's timezone, durations, templates, tables,
 * placeholders and tables in SQL.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { hover, nextOccurrences, type ProjectContext } from '../../src/index.ts';
import { appProject, at, goalLoop, loop } from './helpers.ts';

let project: ProjectContext;
before(async () => {
  project = await appProject();
});

const NOW = new Date('2026-01-01T00:00:00Z'); // a Thursday

function hoverText(marked: string): string | undefined {
  const { doc, offset } = at(marked);
  return hover(doc, offset, project, { now: NOW })?.contents;
}

/** [fixture, exact hover text] */
const EXACT: [string, string | undefined][] = [
  [
    loop("trigger: { type: 'schedule', |cron: '0 9 * * *' }"),
    '**steps.trigger.cron** — `string`\n\nA 5-field cron expression: minute hour day-of-month month day-of-week (for example `0 9 * * *`, daily at 09:00).',
  ],
  [
    loop("trigger: { type: 'schedule', cron: '0 9 * * 1-5|', timezone: 'Europe/Helsinki' }"),
    '**steps.trigger.cron** — `string`\n\n`0 9 * * 1-5`: At 09:00, Monday through Friday (Europe/Helsinki)\n\nNext: Thu 2026-01-01 09:00, Fri 2026-01-02 09:00, Mon 2026-01-05 09:00\n\n' +
      'A 5-field cron expression: minute hour day-of-month month day-of-week (for example `0 9 * * *`, daily at 09:00).',
  ],
  [
    loop("condition: { type: 'query', query: 'SELECT 1', timeout: '|10m' }"),
    "**steps.condition.timeout** — `string (optional)`\n\n`10m` = 10 minutes\n\nFor database triggers: how long after the trigger the condition may take to become true. For schedules: the query's deadline.",
  ],
  [
    "export default defineLoop({ recovery: { retries: 3, |backoff: 'linear' } })",
    "**recovery.backoff** — `'exponential' | 'linear' | 'fixed'`\n\nThe wait between retries: `exponential`, `linear` or `fixed` (with jitter).",
  ],
  [loop("trigger: { |type: 'database' }"), "**steps.trigger.type** — `'database'`\n\nFires once per inserted, updated or deleted row of `table`."],
  [
    loop("action: { type: 'email', provider: 'resend', template: 're_eng|agement' }"),
    '**steps.action.template** — `string`\n\nTemplate `re_engagement`: emails/re_engagement.tsx\n\nProps: `name`, `lastActivity`\n\n' +
      'The email template: `emails/<template>.tsx` (a React Email component) or `emails/<template>.html` beside the config.',
  ],
  [
    loop("action: { type: 'email', personalization: { name: '{{user.na|me}}' } }"),
    '**{{user.name}}**\n\nThe recipient: a row of the people table (`users`, unless `defineConfig({ users: { table } })` names another) — the triggering row when it is one or has the email column, else the row its foreign key (or `user_id`) points to; in a schedule, each row the query returns.\n\n' +
      'Column `users.name`: text (migrations/001_init.sql:2)',
  ],
  [
    loop("action: { type: 'email', personalization: { name: '{{user.nme}}' } }").replace('nme', 'n|me'),
    '**{{user.nme}}**\n\nThe recipient: a row of the people table (`users`, unless `defineConfig({ users: { table } })` names another) — the triggering row when it is one or has the email column, else the row its foreign key (or `user_id`) points to; in a schedule, each row the query returns.\n\n' +
      'Table `users` has no column `nme`.',
  ],
  [
    loop("condition: { type: 'query', query: `SELECT 1 FROM user_act|ions WHERE user_id = $1` }"),
    '**user_actions** (migrations/001_init.sql:10)\n\n- `id` serial\n- `user_id` int4\n- `action_type` text\n- `created_at` timestamptz',
  ],
  [
    goalLoop("{ type: 'query', query: `SELECT 1 FROM user_act|ions WHERE user_id = $1`, within: '7d' }"),
    '**user_actions** (migrations/001_init.sql:10)\n\n- `id` serial\n- `user_id` int4\n- `action_type` text\n- `created_at` timestamptz',
  ],
  [
    loop("action: { type: 'email', template: 're_engagement', personalization: { |lastActivity: '{{user.last_activity_at}}' } }"),
    '**steps.action.personalization.lastActivity** — `string`\n\nProp `lastActivity` of template `re_engagement` (emails/re_engagement.tsx).\n\n' +
      'Text with `{{path}}` placeholders over `user`, `row`, `match`, `loop` and `now`.',
  ],
  [
    loop("action: { type: 'email', template: 're_engagement', personalization: { |link: '' } }"),
    '**steps.action.personalization.link** — `string`\n\nTemplate `re_engagement` (emails/re_engagement.tsx) does not read `link`; its props: `name`, `lastActivity`.\n\n' +
      'Text with `{{path}}` placeholders over `user`, `row`, `match`, `loop` and `now`.',
  ],
  ["import { defineLoop } from '@skene/sdk';\n|export default defineLoop({});", undefined],
];

for (const [marked, expected] of EXACT) {
  test(`hover: ${marked.replace(/\s+/g, ' ').slice(-80)}`, () => {
    assert.equal(hoverText(marked), expected);
  });
}

test('hover on a trigger table lists its columns and file', () => {
  const text = hoverText(loop("trigger: { type: 'database', table: 'us|ers', event: 'insert' }"))!;
  assert.match(text, /\*\*users\*\* \(migrations\/001_init\.sql:2\)/);
  assert.match(text, /- `email` text\n/);
  assert.match(text, /- `plan` text$/m); // added by ALTER TABLE
});

test('hover on an invalid cron says so', () => {
  assert.match(hoverText(loop("trigger: { type: 'schedule', cron: '0 9 * |*' }"))!, /A cron expression has 5 fields .*; '0 9 \* \*' has 4/);
});

test('hover range covers the hovered token', () => {
  const { doc, offset, text } = at("export default defineLoop({ |opinion: 'x' })");
  const h = hover(doc, offset, project)!;
  assert.equal(text.slice(h.range.start, h.range.end), 'opinion');
});

test('the next occurrences follow the clock across a minute, kept within one (nextOccurrences is remembered per minute)', () => {
  const hovered = (now: string) => {
    const { doc, offset } = at(loop("trigger: { type: 'schedule', cron: '0 9 * * *|' }"));
    return /Next: ([^\n]+)/.exec(hover(doc, offset, project, { now: new Date(now) })?.contents ?? '')?.[1];
  };
  assert.equal(hovered('2026-01-05T08:59:00.000Z'), 'Mon 2026-01-05 09:00, Tue 2026-01-06 09:00, Wed 2026-01-07 09:00');
  assert.equal(hovered('2026-01-05T08:59:59.999Z'), 'Mon 2026-01-05 09:00, Tue 2026-01-06 09:00, Wed 2026-01-07 09:00');
  // 09:00 itself has begun: the next is tomorrow's, though the minute before was remembered.
  assert.equal(hovered('2026-01-05T09:00:00.000Z'), 'Tue 2026-01-06 09:00, Wed 2026-01-07 09:00, Thu 2026-01-08 09:00');
});

test('a caller cannot change what nextOccurrences remembers', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  nextOccurrences('*/15 * * * *', 'UTC', now).push('changed');
  assert.deepEqual(nextOccurrences('*/15 * * * *', 'UTC', now), ['Sun 2026-03-01 12:15', 'Sun 2026-03-01 12:30', 'Sun 2026-03-01 12:45']);
});
