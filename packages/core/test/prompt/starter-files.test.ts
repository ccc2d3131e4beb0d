/**
 * starterWrites: the one policy for writing a starter into a project (`skene init` and the
 * editor's "Create skene.config.ts"): the project's own files are kept, a config stops it all,
 * and a template the project has in another form is never doubled.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { starterWrites, type StarterFile } from '../../src/index.js';

const FILES: StarterFile[] = [
  { path: 'skene.config.ts', content: 'config', description: 'the loop' },
  { path: 'emails/welcome.html', content: '<p>{{name}}</p>', description: 'its email' },
  { path: 'skene/seed.sql', content: 'INSERT …', description: 'seed' },
  { path: '.cursor/rules/skene.mdc', content: 'rule', description: 'the Cursor rule' },
];

describe('starterWrites', () => {
  const temps: string[] = [];
  after(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
  function project(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'skene-starter-files-'));
    temps.push(dir);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }
  const paths = (files: StarterFile[]) => files.map((f) => f.path);

  it('an empty folder: every file, in order', () => {
    const w = starterWrites(project({}), FILES);
    assert.equal(w.blocked, false);
    assert.deepEqual(paths(w.write), paths(FILES));
    assert.deepEqual(w.kept, []);
    assert.deepEqual(w.overwritten, []);
  });

  it("the project's own files are kept; the rest is written", () => {
    const w = starterWrites(project({ 'skene/seed.sql': 'mine', '.cursor/rules/skene.mdc': 'mine' }), FILES);
    assert.equal(w.blocked, false);
    assert.deepEqual(paths(w.write), ['skene.config.ts', 'emails/welcome.html']);
    assert.deepEqual(
      w.kept.map((k) => [k.file.path, k.reason]),
      [
        ['skene/seed.sql', 'already there'],
        ['.cursor/rules/skene.mdc', 'already there'],
      ],
    );
  });

  it('a template in another form (welcome.tsx) is kept, even with force: the .tsx would win', () => {
    for (const force of [false, true]) {
      const w = starterWrites(project({ 'emails/welcome.tsx': 'export default () => null;' }), FILES, { force });
      assert.ok(!paths(w.write).includes('emails/welcome.html'), `force ${force}`);
      assert.deepEqual(
        w.kept.map((k) => [k.file.path, k.reason]),
        [['emails/welcome.html', 'emails/welcome.tsx is this template already']],
      );
    }
  });

  it('a skene.config.ts blocks everything without force; force overwrites what exists', () => {
    const dir = project({ 'skene.config.ts': '// mine', 'skene/seed.sql': 'mine' });
    const blocked = starterWrites(dir, FILES);
    assert.equal(blocked.blocked, true);
    assert.deepEqual(blocked.write, []);
    assert.equal(blocked.kept.length, FILES.length);
    const forced = starterWrites(dir, FILES, { force: true });
    assert.equal(forced.blocked, false);
    assert.deepEqual(paths(forced.write), paths(FILES));
    assert.deepEqual(forced.overwritten, ['skene.config.ts', 'skene/seed.sql']);
  });

  it('asks `exists` when given one (the editor may see files the disk does not)', () => {
    const w = starterWrites('/nowhere', FILES, { exists: (p) => p === 'emails/welcome.jsx' });
    assert.deepEqual(
      w.kept.map((k) => k.reason),
      ['emails/welcome.jsx is this template already'],
    );
  });
});
