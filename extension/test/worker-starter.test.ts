/**
 * "Create skene.config.ts" follows `skene init`'s policy, from core: a folder with no stack gets
 * the generic PostgreSQL starter (not a refusal), the project's own files are kept, and a folder
 * with a config gets nothing.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { detectStack, starterProject } from '@skene/core';
import { starterRequest } from '../src/worker-starter.js';

const FIXTURES = fileURLToPath(new URL('../../packages/core/test/fixtures/projects/', import.meta.url));

describe("the worker's starter: core's files and core's write policy", () => {
  const temps: string[] = [];
  after(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
  function folder(fixture?: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'skene-worker-starter-'));
    temps.push(dir);
    if (fixture) cpSync(join(FIXTURES, fixture), dir, { recursive: true });
    return dir;
  }

  it('an empty folder: the generic PostgreSQL starter, as skene init writes it', () => {
    const dir = folder();
    const result = starterRequest(dir);
    assert.equal(result.stack, null);
    assert.equal(result.blocked, false);
    assert.deepEqual(result.files, starterProject(detectStack(dir)).files);
    assert.ok(result.files.some((f) => f.path === 'skene.config.ts'));
    assert.match(result.message ?? '', /no stack detected/);
  });

  it("a detected stack: the project's own seed and a template it has as .tsx are kept", () => {
    const dir = folder('hasura');
    const template = starterProject(detectStack(dir)).files.find((f) => f.path.startsWith('emails/'))!.path;
    mkdirSync(join(dir, 'emails'), { recursive: true });
    writeFileSync(join(dir, template.replace(/\.html$/, '.tsx')), 'export default function T() { return null; }\n');
    mkdirSync(join(dir, 'skene'), { recursive: true });
    writeFileSync(join(dir, 'skene/seed.sql'), '-- mine\n');
    const result = starterRequest(dir);
    assert.ok(result.stack);
    assert.deepEqual(
      result.files.map((f) => f.path),
      ['skene.config.ts', '.cursor/rules/skene.mdc'],
    );
    assert.deepEqual(result.kept, [
      { path: template, reason: `${template.replace(/\.html$/, '.tsx')} is this template already` },
      { path: 'skene/seed.sql', reason: 'already there' },
    ]);
  });

  it('a project with a seed of its own (seed/postgres): Create keeps it and writes no starter seed', () => {
    const dir = folder('hasura');
    mkdirSync(join(dir, 'seed/postgres'), { recursive: true });
    writeFileSync(join(dir, 'seed/postgres/001_schema.sql'), 'CREATE TABLE users (id int);\nCREATE TABLE user_actions (id int);\n');
    const result = starterRequest(dir);
    assert.ok(result.files.some((f) => f.path === 'skene.config.ts'));
    assert.ok(!result.files.some((f) => f.path === 'skene/seed.sql'), JSON.stringify(result.files.map((f) => f.path)));
    assert.deepEqual(
      result.kept?.find((k) => k.path === 'skene/seed.sql'),
      { path: 'skene/seed.sql', reason: 'the project has a seed, seed, which skene plan and the editor read' },
    );
  });

  it('a folder with a skene.config.ts: blocked, nothing to write', () => {
    const dir = folder('hasura');
    writeFileSync(join(dir, 'skene.config.ts'), '// mine\n');
    const result = starterRequest(dir);
    assert.equal(result.blocked, true);
    assert.deepEqual(result.files, []);
    assert.equal(result.dependencies, undefined, 'package.json is not touched either');
  });

  it('skene and @skene/sdk: package.json gets them (the versions Skene ships), or the install command', () => {
    const sdk = `^${(JSON.parse(readFileSync(join(FIXTURES, '../../../../sdk/package.json'), 'utf8')) as { version: string }).version}`;
    const dir = folder('express-prisma');
    const { dependencies } = starterRequest(dir);
    assert.equal(dependencies?.write?.path, 'package.json');
    assert.equal(JSON.parse(dependencies!.write!.content).devDependencies['@skene/sdk'], sdk);
    assert.equal(dependencies!.install, 'npm install');
    assert.equal(starterRequest(folder()).dependencies?.install, 'npm i -D skene @skene/sdk');
  });
});
