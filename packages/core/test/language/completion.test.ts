/**
 * Completion at `|` markers, half-typed documents included: keys by nesting level and `type`,
 * enum values, tables, columns, templates, `{{…}}` paths, cron presets, durations, skeletons.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { complete, type ProjectContext } from '../../src/index.ts';
import { appProject, applyEdits, at, goalLoop, loop } from './helpers.ts';

let project: ProjectContext;
before(async () => {
  project = await appProject();
});

function labels(marked: string): string[] {
  const { doc, offset } = at(marked);
  return complete(doc, offset, project).items.map((i) => i.label);
}

/** [fixture, exactly these labels (in order)] */
const EXACT: [string, string[]][] = [
  // Keys of a loop, required first, without keys already present; the half-typed key itself excluded.
  ['export default defineLoop({ ty| })', ['type', 'opinion', 'steps', 'id', 'recovery', 'maxEmailsPerHour', 'goal', 'unsubscribe']],
  ["export default defineLoop({ type: 'activation', | })", ['opinion', 'steps', 'id', 'recovery', 'maxEmailsPerHour', 'goal', 'unsubscribe']],
  ["export default defineLoop({ type: 'activation',\n  opinion: 'x'\n  st|\n})", ['steps', 'id', 'recovery', 'maxEmailsPerHour', 'goal', 'unsubscribe']],
  // Keys of nested objects, discriminated on `type`.
  [loop("trigger: { type: 'database', | }"), ['table', 'event']],
  [loop("trigger: { type: 'schedule', | }"), ['cron', 'timezone']],
  [loop('trigger: { | }'), ['type', 'table', 'event', 'cron', 'timezone']],
  [loop("condition: { type: 'redis', | }"), ['command', 'timeout']],
  [loop("action: { type: 'email', template: 'x', | }"), ['provider', 'personalization', 'to', 'from', 'subject']],
  [loop("| trigger: { type: 'database' }"), ['action', 'condition']],
  ['export default defineLoop({ recovery: { | } })', ['retries', 'backoff']],
  ['export default defineConfig({ | })', ['loops', 'database', 'users', 'email', 'limits']],
  ["export default defineLoop({ type: 'retention', goal: { type: 'query', | } })", ['query', 'within']],
  ['export default defineConfig({ loops: [], limits: { perUser: { | } } })', ['emails', 'per']],
  ["export default defineConfig({ loops: [{ type: 'activation', | }] })", ['opinion', 'steps', 'id', 'recovery', 'maxEmailsPerHour', 'goal', 'unsubscribe']],
  // Each loop's keys by its own values, whichever loop comes first (its value is read where the loops' values are kept).
  [
    "export default defineConfig({ loops: [{ type: 'activation', steps: [{ trigger: { type: 'schedule' } }] }, { type: 'activation', steps: [{ trigger: { type: 'database', | } }] }] })",
    ['table', 'event'],
  ],
  ["export default [{ steps: [{ trigger: { type: 'database' } }] }, { steps: [{ trigger: { type: 'schedule', | } }] }]", ['cron', 'timezone']],
  ["export default [{ type: 'retention', | }]", ['opinion', 'steps', 'id', 'recovery', 'maxEmailsPerHour', 'goal', 'unsubscribe']],
  ['const welcome = defineLoop({ | });\nexport default [welcome];', ['type', 'opinion', 'steps', 'id', 'recovery', 'maxEmailsPerHour', 'goal', 'unsubscribe']],
  // Personalization keys: the template's props.
  [loop("action: { type: 'email', template: 'activation_welcome', personalization: { | } }"), ['name', 'activationLink']],
  [loop("action: { type: 'email', template: 're_engagement', personalization: { name: '', | } }"), ['lastActivity']],
  // Enum and discriminator values, quoted or bare.
  ["export default defineLoop({ type: '|' })", ['activation', 'retention', 'adoption', 'milestone', 'referral', 'expansion']],
  ['export default defineLoop({ recovery: { backoff: | } })', ['exponential', 'linear', 'fixed']],
  ["export default defineLoop({ recovery: { backoff: 'exp|' } })", ['exponential', 'linear', 'fixed']],
  [loop("trigger: { type: '|' }"), ['database', 'schedule']],
  [loop("trigger: { type: 'database', event: '|' }"), ['insert', 'update', 'delete']],
  [loop("condition: { type: '|' }"), ['query', 'redis']],
  [loop("action: { type: 'email', provider: '|' }"), ['resend']],
  // Tables and templates from the project's files.
  [loop("trigger: { type: 'database', table: '|' }"), ['users', 'user_actions']],
  [loop("action: { type: 'email', template: 'act|' }"), ['activation_welcome', 're_engagement']],
  // `{{…}}` paths.
  [loop("action: { type: 'email', personalization: { name: '{{|' } }"), ['user', 'row', 'match', 'loop', 'now']],
  [loop("action: { type: 'email', personalization: { name: 'Hi {{user.|}}' } }"), ['id', 'email', 'name', 'activation_link', 'last_activity_at', 'plan']],
  [
    loop("trigger: { type: 'database', table: 'user_actions', event: 'insert' }, action: { type: 'email', subject: '{{row.a|}}' }"),
    ['id', 'user_id', 'action_type', 'created_at'],
  ],
  [loop("action: { type: 'email', to: '{{loop.|}}' }"), ['id', 'type', 'opinion']],
  [loop("condition: { type: 'redis', command: ['SISMEMBER', 'seen:{{user.|}}'] }"), ['id', 'email', 'name', 'activation_link', 'last_activity_at', 'plan']],
  [loop("action: { type: 'email', personalization: { name: 'plain text|' } }"), []],
  // SQL in a query.
  [loop("condition: { type: 'query', query: `SELECT * FROM |` }"), ['users', 'user_actions']],
  [loop("condition: { type: 'query', query: `SELECT 1 FROM user_actions a WHERE a.|` }"), ['id', 'user_id', 'action_type', 'created_at']],
  // SQL in a loop's goal, as in a condition.
  [goalLoop("{ type: 'query', query: `SELECT created_at FROM |` }"), ['users', 'user_actions']],
  [goalLoop("{ type: 'query', query: `SELECT 1 FROM user_actions a WHERE a.|` }"), ['id', 'user_id', 'action_type', 'created_at']],
  // Cron presets and durations.
  [
    loop("trigger: { type: 'schedule', cron: '|' }"),
    ['0 9 * * *', '0 9 * * 1-5', '0 9 * * 1', '0 0 * * *', '0 * * * *', '*/15 * * * *', '0 9 1 * *', '30 17 * * 5'],
  ],
  [
    loop("condition: { type: 'query', query: 'SELECT 1', timeout: '|' }"),
    ['30s', '1m', '5m', '10m', '15m', '30m', '1h', '6h', '12h', '1d', '3d', '7d', '14d', '30d'],
  ],
  // Object skeletons at a bare value position, one per union option.
  [loop('trigger: |'), ["{ type: 'database' … }", "{ type: 'schedule' … }"]],
  // Outside any loop: nothing.
  ["import { defineLoop } from '@skene/sdk';|\nexport default defineLoop({});", []],
  ['const x = { | };\nexport default defineLoop({});', []],
  // In comments: nothing.
  ["export default defineLoop({ type: 'activation', // a comment |\n  opinion: 'x' })", []],
  ["export default defineLoop({ type: 'activation', /* | */ opinion: 'x' })", []],
  ["export default defineLoop({ type: 'activation', /* c */ | })", ['opinion', 'steps', 'id', 'recovery', 'maxEmailsPerHour', 'goal', 'unsubscribe']],
  ['export default defineLoop({\n  // the type\n  |\n})', ['type', 'opinion', 'steps', 'id', 'recovery', 'maxEmailsPerHour', 'goal', 'unsubscribe']],
];

for (const [marked, expected] of EXACT) {
  test(`completion: ${marked.replace(/\s+/g, ' ').slice(-90)}`, () => {
    assert.deepEqual(labels(marked), expected);
  });
}

test('a loop past the file reading’s 100,000 values completes by its own values, as when read alone', () => {
  const junk = `[${'0,'.repeat(100_001)}]`;
  const marked = `export default [{ type: 'activation', junk: ${junk} }, { type: 'activation', steps: [{ trigger: { type: 'database', | } }] }];`;
  assert.deepStrictEqual(labels(marked), ['table', 'event']);
});

test('timezone completion offers IANA zones, UTC first', () => {
  const zones = labels(loop("trigger: { type: 'schedule', cron: '0 9 * * *', timezone: 'Eu|' }"));
  assert.equal(zones[0], 'UTC');
  assert.ok(zones.includes('Europe/Helsinki'));
});

test('cron presets and durations carry their meaning', () => {
  const { doc, offset } = at(loop("trigger: { type: 'schedule', cron: '|' }"));
  const item = complete(doc, offset, project).items.find((i) => i.label === '0 9 * * 1-5');
  assert.equal(item?.detail, 'At 09:00, Monday through Friday');
  const d = at(loop("condition: { type: 'query', query: 'SELECT 1', timeout: '|' }"));
  assert.equal(complete(d.doc, d.offset, project).items.find((i) => i.label === '7d')?.detail, '7 days');
});

test('key items document the field from the schema', () => {
  const { doc, offset } = at(loop("trigger: { type: 'schedule', | }"));
  const cron = complete(doc, offset, project).items.find((i) => i.label === 'cron')!;
  assert.equal(cron.detail, 'string');
  assert.match(cron.documentation!, /^A 5-field cron expression/);
});

/** [fixture, label, text after applying the item] */
const APPLIED: [string, string, string][] = [
  ['export default defineLoop({ ty| })', 'type', 'export default defineLoop({ type:  })'],
  ['export default defineLoop({ recovery: { backoff: ex| } })', 'exponential', "export default defineLoop({ recovery: { backoff: 'exponential' } })"],
  ["export default defineLoop({ recovery: { backoff: 'exp|' } })", 'exponential', "export default defineLoop({ recovery: { backoff: 'exponential' } })"],
  ['export default defineLoop({ recovery: { backoff: "|" } })', 'linear', 'export default defineLoop({ recovery: { backoff: "linear" } })'],
  ["x({ to: '{{user.em|' })", '', ''], // not a config: no items
  [loop("action: { type: 'email', to: '{{user.em|' }"), 'email', loop("action: { type: 'email', to: '{{user.email}}' }")],
  [loop("action: { type: 'email', to: '{{user.em|}}' }"), 'email', loop("action: { type: 'email', to: '{{user.email}}' }")],
  [loop("condition: { type: 'query', query: `SELECT 1 FROM us|` }"), 'users', loop("condition: { type: 'query', query: `SELECT 1 FROM users` }")],
];

for (const [marked, label, expected] of APPLIED) {
  test(`completion applied: ${marked.replace(/\s+/g, ' ').slice(-70)} → ${label || 'nothing'}`, () => {
    const { doc, offset, text } = at(marked);
    const items = complete(doc, offset, project).items;
    if (!label) return assert.deepEqual(items, []);
    const item = items.find((i) => i.label === label)!;
    assert.ok(item, `${label} among ${items.map((i) => i.label).join(', ')}`);
    assert.equal(applyEdits(text, [{ range: item.range, newText: item.insertText ?? item.label }]), expected);
  });
}

test('skeletons are snippets with the required keys', () => {
  const { doc, offset } = at(loop('trigger: |'));
  const [database] = complete(doc, offset, project).items;
  assert.equal(database.snippet, true);
  assert.equal(database.insertText, "{ type: 'database', table: '${1}', event: '${2|insert,update,delete|}' }");
});

test('without project files, schema completions still work and file-based ones are empty', () => {
  const { doc, offset } = at(loop("trigger: { type: 'database', table: '|' }"));
  assert.deepEqual(complete(doc, offset).items, []);
  const k = at(loop("trigger: { type: 'database', | }"));
  assert.deepEqual(
    complete(k.doc, k.offset).items.map((i) => i.label),
    ['table', 'event'],
  );
});
