/**
 * starterDependencies: what `skene init` and the editor's "Create skene.config.ts" add to the
 * project's package.json (skene and @skene/sdk, which the config imports) and what the user runs
 * then. The project's own text is kept byte for byte around the added entries.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDevDependencies, starterDependencies, type StarterDependencyOptions } from '../../src/index.js';

const VERSIONS = { skene: '0.3.1', sdk: '0.2.0' };
const ADDED = [
  { name: '@skene/sdk', range: '^0.2.0' },
  { name: 'skene', range: '^0.3.1' },
];

function deps(packageJson: string | undefined, options: Partial<StarterDependencyOptions> = {}) {
  return starterDependencies('/project', { versions: VERSIONS, manager: null, read: (p) => (p === 'package.json' ? packageJson : undefined), ...options });
}

describe('starterDependencies', () => {
  it('no package.json: nothing written, the whole install command for the lock file’s manager', () => {
    const none = deps(undefined);
    assert.equal(none.write, undefined);
    assert.deepEqual(none.added, []);
    assert.equal(none.install, 'npm i -D skene @skene/sdk');
    assert.match(none.reason ?? '', /no package\.json/);
    assert.equal(deps(undefined, { manager: 'yarn' }).install, 'yarn add -D skene @skene/sdk');
    assert.equal(deps(undefined, { manager: 'bun' }).install, 'bun add -d skene @skene/sdk');
  });

  it('appends to devDependencies and keeps the rest of the text as it was', () => {
    const before = '{\n  "name": "app",\n  "files": ["dist"],\n  "devDependencies": {\n    "tsx": "^4.19.0"\n  }\n}\n';
    const result = deps(before);
    assert.deepEqual(result.added, ADDED);
    assert.equal(result.install, 'npm install');
    assert.equal(result.write?.path, 'package.json');
    assert.equal(result.write?.description, 'devDependencies: @skene/sdk ^0.2.0, skene ^0.3.1');
    assert.equal(
      result.write?.content,
      '{\n  "name": "app",\n  "files": ["dist"],\n  "devDependencies": {\n    "tsx": "^4.19.0",\n    "@skene/sdk": "^0.2.0",\n    "skene": "^0.3.1"\n  }\n}\n',
    );
  });

  it('adds a devDependencies block when there is none, in the file’s indentation and line endings', () => {
    const tabs = '{\r\n\t"name": "app",\r\n\t"dependencies": { "react": "^19.0.0" }\r\n}';
    assert.equal(
      deps(tabs).write?.content,
      '{\r\n\t"name": "app",\r\n\t"dependencies": { "react": "^19.0.0" },\r\n\t"devDependencies": {\r\n\t\t"@skene/sdk": "^0.2.0",\r\n\t\t"skene": "^0.3.1"\r\n\t}\r\n}',
    );
    assert.equal(deps('{}\n').write?.content, '{\n  "devDependencies": {\n    "@skene/sdk": "^0.2.0",\n    "skene": "^0.3.1"\n  }\n}\n');
    assert.equal(
      deps('{\n  "devDependencies": {}\n}\n').write?.content,
      '{\n  "devDependencies": {\n    "@skene/sdk": "^0.2.0",\n    "skene": "^0.3.1"\n  }\n}\n',
    );
  });

  it('a package the project declares (in any section) is left as it is; with both, nothing to do', () => {
    const one = deps('{\n  "dependencies": {\n    "@skene/sdk": "0.1.0"\n  }\n}\n', { manager: 'pnpm' });
    assert.deepEqual(one.added, [{ name: 'skene', range: '^0.3.1' }]);
    assert.equal(one.install, 'pnpm install');
    assert.equal(JSON.parse(one.write!.content).dependencies['@skene/sdk'], '0.1.0');
    const both = deps('{ "devDependencies": { "skene": "*", "@skene/sdk": "*" } }');
    assert.deepEqual(both, { added: [] });
  });

  it('a second run adds nothing (no duplicates)', () => {
    const first = deps('{\n  "name": "app"\n}\n').write!.content;
    assert.deepEqual(deps(first), { added: [] });
  });

  it('package.json that is not a JSON object is not edited: the whole command instead', () => {
    for (const text of ['{ "name": ', '[]']) {
      const result = deps(text);
      assert.equal(result.write, undefined);
      assert.equal(result.install, 'npm i -D skene @skene/sdk');
      assert.match(result.reason ?? '', /not a JSON object/);
    }
  });

  it('a layout the text edit cannot follow (a duplicate key) is re-serialised, still valid', () => {
    const text = '{\n  "devDependencies": { "a": "1" },\n  "devDependencies": { "b": "2" }\n}\n';
    const out = addDevDependencies(text, ADDED);
    assert.deepEqual(JSON.parse(out), { devDependencies: { b: '2', '@skene/sdk': '^0.2.0', skene: '^0.3.1' } });
    assert.ok(out.endsWith('}\n'));
  });
});
