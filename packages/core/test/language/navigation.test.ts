/** Document symbols (loops → steps), go to definition (template → file, table → CREATE TABLE), code lenses. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { codeLenses, definition, parseConfigDocument, symbols, type ProjectContext } from '../../src/index.ts';
import { APP, appProject, at, CONFIG } from './helpers.ts';

let project: ProjectContext;
before(async () => {
  project = await appProject();
});

const CONFIG_TEXT = `import { defineConfig, defineLoop } from '@skene/sdk';
const welcome = defineLoop({
  type: 'activation',
  opinion: 'Welcome new users',
  steps: [
    { trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'activation_welcome' } },
    { trigger: { type: 'schedule', cron: '0 9 * * *' }, condition: { type: 'query', query: 'SELECT * FROM users' }, action: { type: 'email', provider: 'resend', template: 're_engagement' } },
  ],
});
export default defineConfig({
  loops: [welcome, { id: 'winback', type: 'retention', opinion: 'Win back', steps: [] }, { type: 'activation', opinion: 'Second', steps: [] }],
});
`;

test('symbols: each loop by id (explicit or derived) with its steps', () => {
  const doc = parseConfigDocument(CONFIG_TEXT, CONFIG);
  const list = symbols(doc);
  assert.deepEqual(
    list.map((s) => ({ name: s.name, detail: s.detail, kind: s.kind, steps: s.children.map((c) => `${c.name}: ${c.detail}`) })),
    [
      {
        name: 'activation-1',
        detail: 'Welcome new users',
        kind: 'loop',
        steps: ['step 1: insert on users → activation_welcome', 'step 2: schedule 0 9 * * * → re_engagement'],
      },
      { name: 'winback', detail: 'Win back', kind: 'loop', steps: [] },
      { name: 'activation-2', detail: 'Second', kind: 'loop', steps: [] },
    ],
  );
  for (const s of [...list, ...list.flatMap((l) => l.children)]) {
    assert.ok(s.range.start <= s.selectionRange.start && s.selectionRange.end <= s.range.end, `${s.name}: selection inside range`);
  }
  assert.equal(CONFIG_TEXT.slice(list[1].selectionRange.start, list[1].selectionRange.end), 'id');
});

test('code lenses: Plan this loop (with its id) and Copy Skene Prompt at each loop', () => {
  const doc = parseConfigDocument(CONFIG_TEXT, CONFIG);
  const lenses = codeLenses(doc);
  assert.deepEqual(
    lenses.map((l) => [doc.lines.position(l.range.start).line, l.title, l.command, l.arguments]),
    [
      [1, 'Plan this loop', 'skene.planLoop', ['activation-1']],
      [1, 'Copy Skene Prompt', 'skene.copyPrompt', []],
      [10, 'Plan this loop', 'skene.planLoop', ['winback']],
      [10, 'Copy Skene Prompt', 'skene.copyPrompt', []],
      [10, 'Plan this loop', 'skene.planLoop', ['activation-2']],
      [10, 'Copy Skene Prompt', 'skene.copyPrompt', []],
    ],
  );
});

const SQL = join(APP, 'migrations/001_init.sql');
const sqlLine = (needle: string) =>
  readFileSync(SQL, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle));

/** [fixture, expected {path, line, character} or none] */
const DEFINITIONS: [string, { path: string; line: number; character: number } | undefined][] = [
  [
    "export default defineLoop({ steps: [{ action: { type: 'email', template: 're_en|gagement' } }] })",
    { path: join(APP, 'emails/re_engagement.tsx'), line: 0, character: 0 },
  ],
  [
    "export default defineLoop({ steps: [{ action: { type: 'email', template: '|activation_welcome' } }] })",
    { path: join(APP, 'emails/activation_welcome.html'), line: 0, character: 0 },
  ],
  [
    "export default defineLoop({ steps: [{ trigger: { type: 'database', table: 'user_act|ions' } }] })",
    { path: SQL, line: sqlLine('CREATE TABLE user_actions'), character: 13 },
  ],
  [
    "export default defineLoop({ steps: [{ condition: { type: 'query', query: 'SELECT 1 FROM us|ers' } }] })",
    { path: SQL, line: sqlLine('CREATE TABLE users'), character: 13 },
  ],
  [
    "export default defineLoop({ steps: [{ action: { type: 'email', to: '{{user.em|ail}}' } }] })",
    { path: SQL, line: sqlLine('CREATE TABLE users'), character: 13 },
  ],
  ["export default defineLoop({ steps: [{ action: { type: 'email', template: 'nope|' } }] })", undefined],
  ["export default defineLoop({ |type: 'activation' })", undefined],
];

for (const [marked, expected] of DEFINITIONS) {
  test(`definition: ${marked.slice(36, 110)}`, () => {
    const { doc, offset } = at(marked);
    const found = definition(doc, offset, project).map(({ path, line, character }) => ({ path, line, character }));
    assert.deepEqual(found, expected ? [expected] : []);
  });
}
