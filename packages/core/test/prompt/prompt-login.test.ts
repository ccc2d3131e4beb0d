/**
 * The prompt's instructions around the seed page's two lines (issue 18 §4.6): an agent cannot
 * answer `skene login`'s hidden prompt, so it checks `skene login --status` and asks the user; a
 * project with a config is asked to update it; the project's own seed is the one named.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPrompt, detectStackInFiles, promptHeader } from '@skene/core';

/** A project as a map of relative paths to contents (what detection reads). */
function project(files: Record<string, string>) {
  const paths = Object.keys(files).sort();
  return detectStackInFiles({ root: '/project', paths, read: (path) => files[path] });
}

const PACKAGE = JSON.stringify({ dependencies: { next: '15.0.0', pg: '8.11.0', '@clerk/nextjs': '6.0.0' } });
const SCHEMA = 'CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text);\n';

test("keeps the seed page's two lines, then has the agent check the login and leave it to the user", () => {
  const prompt = buildPrompt(project({ 'package.json': PACKAGE, 'migrations/001.sql': SCHEMA }));
  const [task, action, blank, login, ask] = prompt.split('\n');
  assert.equal(`${task}\n${action}`, promptHeader('Next.js + PostgreSQL + Clerk', 'activation'));
  assert.match(action!, /validating subscription via `npx skene login`, and generate `skene\.config\.ts`/);
  assert.equal(blank, '');
  assert.match(login!, /^@login: first run `npx skene login --status`/);
  assert.match(ask!, /ask me to run `npx skene login` in my terminal/);
  assert.match(ask!, /hidden prompt you cannot answer/);
  assert.match(ask!, /Never ask me for the key/);
});

test('a project with a config and a seed of its own: update it, and use that seed', () => {
  const detection = project({
    'package.json': PACKAGE,
    'apps/api/skene.config.ts': 'export default [];\n',
    'apps/api/supabase/seed.sql': SCHEMA,
  });
  assert.equal(detection.config, 'apps/api/skene.config.ts');
  assert.equal(detection.seed, 'apps/api/supabase/seed.sql');
  const prompt = buildPrompt(detection);
  assert.match(prompt.split('\n')[1]!, /and update `skene\.config\.ts` to implement/);
  assert.doesNotMatch(prompt, /\bgenerate\b/);
  assert.match(prompt, /^- Config: `apps\/api\/skene\.config\.ts` exists\. Update it/m);
  assert.match(prompt, /in `apps\/api\/supabase\/seed\.sql`, so `skene plan` has data/);
  assert.doesNotMatch(prompt, /skene\/seed\.sql/);
});

test('a seed folder beside the config is found the way the plan finds it', () => {
  const detection = project({ 'package.json': PACKAGE, 'skene.config.ts': '', 'seed/postgres/001.sql': SCHEMA, 'skene/seed.sql': SCHEMA });
  assert.equal(detection.seed, 'seed');
  assert.match(buildPrompt(detection), /^- Seed: `seed` is the project's seed/m);
});

test('without a config or a seed: generate, and the seed goes where the plan looks for one', () => {
  const detection = project({ 'package.json': PACKAGE });
  assert.equal(detection.config, undefined);
  assert.equal(detection.seed, undefined);
  const prompt = buildPrompt(detection);
  assert.match(prompt.split('\n')[1]!, /and generate `skene\.config\.ts`/);
  assert.match(prompt, /in `skene\/seed\.sql` \(where `skene plan` and the editor look for a seed\)/);
});
