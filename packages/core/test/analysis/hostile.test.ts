/**
 * Inputs that once broke analysis (found by attacking `skene check`): each must give a precise
 * answer, never a crash, a hang or a wrong position.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { analyze, loadProjectContext, prepareAnalysis, type AnalyzeOptions } from '@skene/core';
import { config, marked } from './fixture.js';

before(() => prepareAnalysis({ dialect: 'all' }));

function at(text: string, options: AnalyzeOptions = {}) {
  const { document, diagnostics } = analyze(text, options);
  return diagnostics.map((d) => {
    const p = document.lines.position(d.range.start);
    return { code: d.code, line: p.line + 1, column: p.character + 1, message: d.message, severity: d.severity };
  });
}

function expectAt(fixture: string, code: string, options: AnalyzeOptions = {}): { message: string }[] {
  const { text, line, column } = marked(fixture);
  const found = at(text, options).filter((d) => d.code === code);
  assert.ok(
    found.some((d) => d.line === line && d.column === column),
    `${code} expected at ${line}:${column}, got ${JSON.stringify(found)}`,
  );
  return found;
}

describe('positions', () => {
  test('PostgreSQL: astral characters before a syntax error (parser counts code points)', () => {
    expectAt(config({ condition: "{ type: 'query', query: `SELECT '😀😀😀' AS a FROM users\n  WHERE id = $1 |ANDD x` }" }), 'SKN020');
  });
  test('PostgreSQL: tables after multi-byte text (parse tree counts UTF-8 bytes)', () => {
    const project = { schema: { tables: new Map([['users', { name: 'users', columns: [], file: 's.sql', line: 0, character: 0 }]]), files: ['s.sql'] } };
    expectAt(config({ condition: "{ type: 'query', query: `SELECT 'é😀' AS a FROM |user_action WHERE x = $1` }" }), 'SKN040', { project });
  });
  test('MySQL: a \\u{…} astral escape in the template literal', () => {
    const [d] = expectAt(config({ condition: "{ type: 'query', query: `SELECT '\\u{1F600}' AS a FROM users WHERE id = $1 |ANDD x` }" }), 'SKN020', {
      dialect: 'mysql',
    });
    assert.match(d.message, /near "ANDD"/);
  });
});

describe('resolution', () => {
  test('a const that spreads itself: one warning, no blow-up', () => {
    const text = `const l = [...l, ...l, ...l, ...l, ...l, ...l, ...l, ...l, ...l, ...l, ...l, ...l];\n${config().replace("name: '{{user.name}}'", "name: '{{user.name}}', extra: l")}`;
    const found = at(text).filter((d) => d.code === 'SKN008');
    assert.equal(found.length, 1, JSON.stringify(found));
  });
  test('1,000 nested brackets: a syntax error, not a stack overflow', () => {
    const deep = `export default ${'{a:'.repeat(1000)}1${'}'.repeat(1000)};`;
    const found = at(deep);
    assert.equal(found[0].code, 'SKN006');
    assert.match(found[0].message, /nests brackets too deeply/);
  });
  test('a spread overridden by a later key: the error is at the later key', () => {
    expectAt(`const base = { type: 'database', table: 'users', event: 'insert' } as const;\n${config({ trigger: `{ ...base, event: |'inzert' }` })}`, 'SKN004');
    assert.deepEqual(
      at(`const base = { type: 'database', table: 'users', event: 'insert' } as const;\n${config({ trigger: `{ ...base, event: 'update' }` })}`),
      [],
    );
  });
  test('export { loop as default }', () => {
    const text = config().replace('export default defineLoop(', 'const loop = defineLoop(') + 'export { loop as default };\n';
    assert.deepEqual(at(text), []);
    assert.equal(at(text.replace("'activation'", "'activaton'"))[0]?.code, 'SKN004');
  });
  test('loops computed at run time are a warning, not a silent pass', () => {
    const found = at(
      `import { defineConfig } from '@skene/sdk';\nconst names = ['a'];\nexport default defineConfig({ loops: names.map((n) => ({ id: n })) });\n`,
    );
    assert.deepEqual(
      found.map((d) => [d.code, d.severity]),
      [['SKN008', 'warning']],
    );
  });
  test('a computed key is a warning, not an unknown key', () => {
    const found = at(config({ trigger: "{ type: 'database', table: 'users', ['ev' + 'ent']: 'insert' }" }));
    assert.ok(found.some((d) => d.code === 'SKN008'));
    assert.ok(!found.some((d) => d.code === 'SKN001'));
  });
});

describe('rules', () => {
  test('an explicit id that a later loop derives is a duplicate', () => {
    const step = "{ trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'w' } }";
    const text = marked(
      `export default [\n  { id: |'activation-2', type: 'activation', opinion: 'a', steps: [${step}] },\n  { type: 'activation', opinion: 'b', steps: [${step}] },\n];\n`,
    );
    const found = at(text.text).filter((d) => d.code === 'SKN009');
    assert.deepEqual(
      found.map((d) => [d.line, d.column]),
      [[text.line, text.column]],
    );
    assert.match(found[0].message, /loop 2 has no id/);
  });
  test('MySQL: a statement the grammar returns without a type (found by the property test)', () => {
    const found = at(config({ condition: "{ type: 'query', query: ` re_engagement_sent = false` }" }), { dialect: 'mysql' });
    assert.ok(!found.some((d) => /could not finish/.test(d.message)), JSON.stringify(found));
    assert.ok(
      found.some((d) => d.code === 'SKN021' && /not a SELECT/.test(d.message)),
      JSON.stringify(found),
    );
  });
  test('an empty query or one of comments only', () => {
    for (const q of ['`   `', '`-- nothing`']) {
      assert.ok(
        at(config({ condition: `{ type: 'query', query: ${q} }` })).some((d) => d.code === 'SKN021' && /empty/.test(d.message)),
        q,
      );
    }
  });
  test('functions a read-only transaction does not stop', () => {
    const [d] = expectAt(config({ condition: "{ type: 'query', query: 'SELECT |pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = $1' }" }), 'SKN026');
    assert.match(d.message, /The function pg_terminate_backend\(\) is not on the read-only allow-list/);
  });
  test('durations: zero, over a year, and a bare number', () => {
    const timeout = (t: string) =>
      at(config({ condition: `{ type: 'query', query: 'SELECT 1 FROM users WHERE id = $1', timeout: '${t}' }` }))
        .filter((d) => d.code === 'SKN012')
        .map((d) => d.message);
    assert.match(timeout('0s')[0], /is zero/);
    assert.match(timeout('99999999999999999999d')[0], /longer than a year/);
    assert.doesNotMatch(timeout('5')[0], /Did you mean/);
    assert.deepEqual(timeout('365d'), []);
  });
  test('a huge cron field is quoted, not echoed whole', () => {
    const cron = Array.from({ length: 20000 }, (_, i) => i % 60).join(',') + ',99';
    const found = at(config({ trigger: `{ type: 'schedule', cron: '${cron} * * * *' }`, condition: "{ type: 'query', query: 'SELECT * FROM users' }" })).filter(
      (d) => d.code === 'SKN010',
    );
    assert.equal(found.length, 1);
    assert.ok(found[0].message.length < 300, `message is ${found[0].message.length} chars`);
  });
});

describe('project files', () => {
  test('table names with regex syntax, symlink loops, FIFOs and unreadable schema files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skene-hostile-'));
    mkdirSync(join(dir, 'migrations'));
    writeFileSync(
      join(dir, 'migrations', '001.sql'),
      `CREATE TABLE "(.*.*)*!" (id int);\nCREATE TABLE "a(b" (id int);\nCREATE TABLE users (id int, name text);\n-- ${'a'.repeat(40)}\n`,
    );
    symlinkSync('..', join(dir, 'migrations', 'loop'));
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [join(dir, 'migrations', '002.sql')]);
    mkdirSync(join(dir, 'emails'));
    execFileSync('mkfifo', [join(dir, 'emails', 'fifo.html')]);
    writeFileSync(join(dir, 'emails', 'welcome.html'), '<p>{{name}}</p>');
    const project = loadProjectContext(join(dir, 'skene.config.ts'));
    assert.deepEqual([...project.schema!.tables.keys()].sort(), ['(.*.*)*!', 'a(b', 'users']);
    assert.equal(project.schema!.tables.get('users')!.line, 2);
    assert.deepEqual([...project.templates!.keys()], ['welcome']);
  });
  test('schema files that define nothing leave tables unchecked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skene-hostile-'));
    writeFileSync(join(dir, 'seed.sql'), 'this is not SQL at all');
    assert.equal(loadProjectContext(join(dir, 'skene.config.ts')).schema, undefined);
  });
});
