/**
 * The people table in check: `users` in defineConfig names it (SKN042 when the schema files lack
 * it or its columns), `{{user.*}}` is checked against the table the plan reads the person from
 * (SKN041), and a trigger table that reaches no person is SKN043 — exactly the loops whose events
 * the plan, on the same fixture (fixtures/people), does not send for that reason.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyze, loadProjectContext, prepareAnalysis, type Diagnostic, type ProjectContext } from '../../src/analysis/index.ts';
import { runPlan } from '../../src/plan/engine.ts';
import { loadConfig } from '../../src/plan/load-config.ts';
import { openSource } from '../../src/sources/index.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/people/', import.meta.url));
const CONFIG = join(FIXTURE, 'skene.config.ts');
const SEED = join(FIXTURE, 'seed');
const SEEDS = readdirSync(SEED)
  .sort()
  .map((f) => join(SEED, f));

let project: ProjectContext;
before(async () => {
  await prepareAnalysis();
  project = loadProjectContext(CONFIG, { schemaFiles: SEEDS });
});

/** A defineConfig with `users` (as text) and one database step on `table`. */
function people(
  users: string | undefined,
  table: string,
  action = `{ type: 'email', provider: 'resend', template: 'note', personalization: { name: '{{user.full_name}}' } }`,
) {
  return `import { defineConfig } from '@skene/sdk';
export default defineConfig({${users === undefined ? '' : `\n  users: ${users},`}
  loops: [{ type: 'activation', opinion: 'x', steps: [{ trigger: { type: 'database', table: '${table}', event: 'insert' }, action: ${action} }] }],
});
`;
}

const check = (text: string, with_: ProjectContext = project) => analyze(text, { fileName: CONFIG, project: with_ }).diagnostics;
const codes = (ds: Diagnostic[], code: string) => ds.filter((d) => d.code === code);
const applyFix = (text: string, d: Diagnostic) => {
  const edit = d.fixes![0]!.edits[0]!;
  return text.slice(0, edit.range.start) + edit.newText + text.slice(edit.range.end);
};

describe('the fixture config: one loop per way to a person', () => {
  test('SKN043 on the table that reaches no one, SKN041 where the person lacks the column, nothing else', () => {
    const text = readFileSync(CONFIG, 'utf8');
    const found = check(text).map((d) => [d.code, text.slice(d.range.start, d.range.end)]);
    assert.deepEqual(found, [
      ['SKN041', 'full_name'], // invitations: the row is the person, and it has no full_name
      ['SKN043', "'audit_log'"],
    ]);
    const skn043 = codes(check(text), 'SKN043')[0]!;
    assert.equal(skn043.severity, 'warning');
    assert.match(skn043.message, /audit_log is not the people table \(members\), has no foreign key to it, no member_id column and no email_address column/);
    assert.match(skn043.message, /defineConfig\(\{ users: \{ table: '…' \} \}\)/);
  });

  test('check and plan agree: SKN043 exactly where the plan sends nothing for want of a person', async () => {
    const source = await openSource({ seeds: [SEED], cwd: FIXTURE });
    try {
      const report = await runPlan({
        config: await loadConfig(CONFIG),
        source,
        at: new Date('2026-03-02T09:00:00Z'),
        cwd: FIXTURE,
        env: { SKENE_EMAIL_FROM: 'a@b.example' },
      });
      const text = readFileSync(CONFIG, 'utf8');
      const flagged = new Set(codes(check(text), 'SKN043').map((d) => /table: '([\w]+)'/.exec(text.slice(d.range.start - 8, d.range.end))?.[1]));
      for (const loop of report.loops) {
        const table = /table: '(\w+)'/.exec(text.slice(text.indexOf(`id: '${loop.id}'`)))![1]!;
        const nobody = loop.steps[0]!.notSent.some((n) => /is not the people table/.test(n.reason));
        assert.equal(
          flagged.has(table),
          nobody,
          `${loop.id}: check ${flagged.has(table) ? 'flags' : 'accepts'} ${table}, the plan ${nobody ? 'finds no one' : 'finds people'}`,
        );
      }
    } finally {
      await source.close();
    }
  });
});

describe('SKN042: users names what the schema files have', () => {
  test('a misspelt table, with the fix', () => {
    const text = people(`{ table: 'member', email: 'email_address' }`, 'members');
    const [d] = codes(check(text), 'SKN042');
    assert.match(d!.message, /People table 'member' not found.*Did you mean 'members'\?/);
    assert.deepEqual(codes(check(applyFix(text, d!)), 'SKN042'), []);
  });

  test('a misspelt column, with the fix', () => {
    const text = people(`{ table: 'members', key: 'member_id', email: 'email_adress' }`, 'members');
    const [d] = codes(check(text), 'SKN042');
    assert.match(d!.message, /Unknown email column 'email_adress'.*Did you mean 'email_address'\?/);
    assert.deepEqual(codes(check(applyFix(text, d!)), 'SKN042'), []);
  });

  test('the default email column on a table without one: the fix names the likely column', () => {
    const text = people(`{ table: 'members' }`, 'members');
    const [d] = codes(check(text), 'SKN042');
    assert.match(d!.message, /Table 'members' has no email column.*likely 'email_address'/);
    const fixed = applyFix(text, d!);
    assert.match(fixed, /users: \{ table: 'members', email: 'email_address' \}/);
    assert.deepEqual(codes(check(fixed), 'SKN042'), []);
  });

  test('a key and a name the table has: quiet', () => {
    assert.deepEqual(codes(check(people(`{ table: 'members', key: 'member_id', email: 'email_address', name: 'full_name' }`, 'members')), 'SKN042'), []);
  });
});

describe('without users: the default people table, and a row with an email column', () => {
  let dir: string;
  let shop: ProjectContext;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'skene-people-'));
    writeFileSync(
      join(dir, 'schema.sql'),
      `CREATE TABLE customers (id serial PRIMARY KEY, email text, name text);
       CREATE TABLE orders (id serial PRIMARY KEY, customer_id int, total int);
       CREATE TABLE signups (id serial PRIMARY KEY, email text, source text);`,
    );
    shop = loadProjectContext(join(dir, 'skene.config.ts'), { schemaFiles: [join(dir, 'schema.sql')] });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a trigger table pointing at customers: SKN043, and the fix names customers the people table', () => {
    const text = people(undefined, 'orders', `{ type: 'email', provider: 'resend', template: 'note' }`);
    const [d] = codes(check(text, shop), 'SKN043');
    assert.match(d!.message, /orders is not the people table \(users\), has no foreign key to it, no user_id column and no email column/);
    const fixed = applyFix(text, d!);
    assert.match(fixed, /users: \{ table: 'customers' \},/);
    assert.deepEqual(codes(check(fixed, shop), 'SKN043'), []);
  });

  test('a table with the email column is its own person: {{user.*}} is checked against it', () => {
    const text = people(undefined, 'signups', `{ type: 'email', provider: 'resend', template: 'note', personalization: { from: '{{user.sourc}}' } }`);
    const ds = check(text, shop);
    assert.deepEqual(codes(ds, 'SKN043'), []);
    assert.match(codes(ds, 'SKN041')[0]!.message, /table 'signups' has id, email, source.*Did you mean 'source'\?/);
  });

  test('a user_id column pointing at a people table the files do not create: SKN043 names it', () => {
    const text = people(undefined, 'orders', `{ type: 'email', provider: 'resend', template: 'note' }`).replace("'orders'", "'signups'");
    assert.deepEqual(codes(check(text, shop), 'SKN043'), [], 'signups has the email column: its row is the person');
    const dir2 = mkdtempSync(join(tmpdir(), 'skene-people-'));
    try {
      writeFileSync(
        join(dir2, 'schema.sql'),
        'CREATE TABLE accounts (id serial PRIMARY KEY, email text); CREATE TABLE orders (id serial PRIMARY KEY, user_id int);',
      );
      const other = loadProjectContext(join(dir2, 'skene.config.ts'), { schemaFiles: [join(dir2, 'schema.sql')] });
      const [d] = codes(check(people(undefined, 'orders', `{ type: 'email', provider: 'resend', template: 'note' }`), other), 'SKN043');
      assert.match(d!.message, /'orders\.user_id' points at 'users', which no schema file creates/);
    } finally {
      rmSync(dir2, { recursive: true, force: true });
    }
  });

  test('a trigger on auth.users (outside what the files describe) is its own person, never checked against public.users', () => {
    const text = people(
      `{ table: 'users' }`,
      'auth.users',
      `{ type: 'email', provider: 'resend', template: 'note', personalization: { m: '{{user.raw_user_meta_data}}' } }`,
    );
    assert.deepEqual(
      check(text, shop).filter((d) => d.code === 'SKN041' || d.code === 'SKN043'),
      [],
    );
  });

  test('a step that sets `to` from the row and uses no {{user}} needs no person', () => {
    const text = people(undefined, 'orders', `{ type: 'email', provider: 'resend', template: 'note', to: 'billing@example.com' }`);
    assert.deepEqual(codes(check(text, shop), 'SKN043'), []);
  });
});
