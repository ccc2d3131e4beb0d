/**
 * A loop's `goal` is read as a condition is: the read-only guard, SQL syntax and dialect, tables,
 * parameters (`$1`, the recipient's user key) and Redis commands, with diagnostics on the goal's
 * own text (`|` marks where each starts) and the same codes and quick fixes as in a condition.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyze, loadProjectContext, prepareAnalysis, type AnalyzeOptions, type DiagnosticCode } from '@skene/core';
import { config, marked } from './fixture.js';

const projectConfig = fileURLToPath(new URL('../fixtures/project/skene.config.ts', import.meta.url));
/** Stands for the fixture project until `before` has loaded it. */
const PROJECT = {};

/** The fixture loop with a goal (`|` allowed inside it). */
const withGoal = (goal: string) => config({ loop: `goal: ${goal},` });
const GOAL_OK = `{ type: 'query', query: \`SELECT created_at FROM user_actions WHERE user_id = $1 AND action_type = 'invited'\`, within: '7d' }`;

interface Case {
  code: DiagnosticCode;
  name: string;
  fails: string;
  passes: string;
  options?: AnalyzeOptions;
  says?: RegExp;
  fix?: string;
}

const cases: Case[] = [
  {
    code: 'SKN021',
    name: 'a write statement in a goal is refused as in a condition',
    says: /The goal is DELETE.*Plans and runs refuse it too/,
    fails: withGoal(`{ type: 'query', query: '|DELETE FROM user_actions WHERE user_id = $1', within: '7d' }`),
    passes: withGoal(GOAL_OK),
  },
  {
    code: 'SKN020',
    name: 'a goal that does not parse',
    says: /SQL syntax error/,
    fails: withGoal(`{ type: 'query', query: 'SELECT 1 FROM user_actions WHERE |WHERE user_id = $1', within: '7d' }`),
    passes: withGoal(GOAL_OK),
  },
  {
    code: 'SKN022',
    name: '$2 in a goal',
    says: /a goal passes one parameter, \$1, the recipient's user key/,
    fails: withGoal(`{ type: 'query', query: 'SELECT 1 FROM user_actions WHERE user_id = $1 AND id = |$2', within: '7d' }`),
    passes: withGoal(GOAL_OK),
  },
  {
    code: 'SKN026',
    name: 'a function off the allow-list in a goal',
    says: /pg_sleep\(\) is not on the read-only allow-list/,
    fails: withGoal(`{ type: 'query', query: 'SELECT |pg_sleep(1) FROM user_actions WHERE user_id = $1', within: '7d' }`),
    passes: withGoal(GOAL_OK),
  },
  {
    code: 'SKN023',
    name: "MySQL's INTERVAL in a goal under PostgreSQL, with the rewrite",
    says: /INTERVAL '7 days'/,
    fix: `INTERVAL '7 days'`,
    fails: withGoal("{ type: 'query', query: `SELECT 1 FROM user_actions WHERE user_id = $1 AND created_at > NOW() - |INTERVAL 7 DAY`, within: '7d' }"),
    passes: withGoal(GOAL_OK),
  },
  {
    code: 'SKN040',
    name: 'an unknown table in a goal, with the fix',
    says: /Did you mean 'user_actions'/,
    fix: 'user_actions',
    options: { project: PROJECT },
    fails: withGoal(`{ type: 'query', query: 'SELECT 1 FROM |user_action WHERE user_id = $1', within: '7d' }`),
    passes: withGoal(GOAL_OK),
  },
  {
    code: 'SKN012',
    name: "a goal's within that is not a duration",
    says: /Did you mean '7d'/,
    fix: `'7d'`,
    fails: withGoal(`{ type: 'query', query: 'SELECT 1 FROM user_actions WHERE user_id = $1', within: |'7 days' }`),
    passes: withGoal(GOAL_OK),
  },
  {
    code: 'SKN029',
    name: 'a Redis goal command that writes',
    says: /DEL is not a read-only Redis command/,
    options: { dialect: 'redis' },
    fails: config({
      condition: "{ type: 'redis', command: ['SISMEMBER', 'seen:{{user.id}}', 'x'] }",
      loop: "goal: { type: 'redis', command: [|'DEL', 'user_actions:{{user.id}}'], within: '7d' },",
    }),
    passes: config({
      condition: "{ type: 'redis', command: ['SISMEMBER', 'seen:{{user.id}}', 'x'] }",
      loop: "goal: { type: 'redis', command: ['SISMEMBER', 'user_actions:{{user.id}}', 'invited'], within: '7d' },",
    }),
  },
  {
    code: 'SKN024',
    name: 'a Redis goal on a SQL source',
    says: /A redis goal needs a Redis source/,
    fails: withGoal(`{ type: |'redis', command: ['SISMEMBER', 'user_actions:{{user.id}}', 'x'], within: '7d' }`),
    passes: withGoal(GOAL_OK),
  },
];

let project: ReturnType<typeof loadProjectContext>;
before(async () => {
  await prepareAnalysis({ dialect: 'all' });
  project = loadProjectContext(projectConfig);
  for (const c of cases) if (c.options?.project === PROJECT) c.options.project = project;
});

describe('a goal is checked as a condition is', () => {
  for (const c of cases) {
    test(`${c.code} ${c.name}`, () => {
      const { text, line, column } = marked(c.fails);
      const { document, diagnostics } = analyze(text, c.options);
      const found = diagnostics.filter((d) => d.code === c.code);
      assert.ok(found.length > 0, `expected ${c.code}, got ${JSON.stringify(diagnostics.map((d) => [d.code, d.message]))}`);
      const at = found.map((d) => ({ ...document.lines.position(d.range.start), d }));
      const hit = at.find((a) => a.line + 1 === line && a.character + 1 === column);
      assert.ok(hit, `${c.code} expected at ${line}:${column}, found at ${at.map((a) => `${a.line + 1}:${a.character + 1}`).join(', ')}`);
      if (c.says) assert.match(hit.d.message, c.says);
      if (c.fix !== undefined) {
        const edit = hit.d.fixes?.[0]?.edits[0];
        assert.ok(edit, 'expected a fix');
        assert.equal(edit.newText, c.fix);
        const fixed = text.slice(0, edit.range.start) + edit.newText + text.slice(edit.range.end);
        assert.equal(analyze(fixed, c.options).diagnostics.filter((d) => d.code === c.code).length, found.length - 1, 'the fix removes the diagnostic');
      }
      const passing = analyze(c.passes, c.options).diagnostics;
      assert.deepEqual(
        passing.filter((d) => d.code === c.code).map((d) => d.message),
        [],
        `passing fixture reported ${c.code}`,
      );
    });
  }

  test('a valid goal adds no diagnostic to the fixture', () => {
    const plain = analyze(config(), { project }).diagnostics.map((d) => d.code);
    assert.deepEqual(
      analyze(withGoal(GOAL_OK), { project }).diagnostics.map((d) => d.code),
      plain,
    );
  });
});
