/** The one lock-file reader: yarn and bun beside the npm and pnpm fixtures, the first lock file naming the manager. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectStackInFiles, type ProjectFileSource } from '../../src/index.js';

function project(files: Record<string, string>): ProjectFileSource {
  return { root: '/project', paths: Object.keys(files).sort(), read: (path) => files[path] };
}

const PACKAGE = JSON.stringify({ dependencies: { stripe: '^12.0.0', next: '^14.0.0' } }, null, 2);

describe('lock files', () => {
  it('yarn.lock: the manager, and versions of declared packages only', () => {
    const d = detectStackInFiles(
      project({ 'package.json': PACKAGE, 'yarn.lock': '"stripe@^12.0.0":\n  version "12.3.0"\n\n"express@^4":\n  version "4.19.0"\n' }),
    );
    assert.equal(d.packageManager, 'yarn');
    assert.equal(d.findings.find((f) => f.name === 'Stripe')?.version, '12.3.0');
    assert.ok(d.findings.find((f) => f.name === 'Stripe')?.evidence.some((e) => e.file === 'yarn.lock' && e.line === 1));
    assert.equal(
      d.findings.find((f) => f.name === 'Express'),
      undefined,
      'a lock file adds no packages of its own',
    );
  });

  it('bun: the manager only; the first lock file in path order names it', () => {
    assert.equal(detectStackInFiles(project({ 'package.json': PACKAGE, 'bun.lockb': '\0binary' })).packageManager, 'bun');
    assert.equal(detectStackInFiles(project({ 'package.json': PACKAGE, 'bun.lock': '', 'yarn.lock': '' })).packageManager, 'bun');
  });
});
