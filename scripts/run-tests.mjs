// Runs every *.test.ts under packages/*/test and test/ with node's test runner (tsx loads TypeScript,
// the `source` condition resolves workspace packages to their src/). Node 20's --test takes no globs.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const roots = ['test', ...readdirSync(join(root, 'packages')).map((p) => join('packages', p, 'test')), 'extension/test', 'action/test'];
const only = process.argv.slice(2);
const files = [];
for (const dir of roots) {
  const abs = join(root, dir);
  try {
    statSync(abs);
  } catch {
    continue;
  }
  for (const entry of readdirSync(abs, { recursive: true })) {
    const file = join(abs, entry);
    if (!file.endsWith('.test.ts') || file.includes('node_modules') || file.includes(`${'/'}fixtures${'/'}`)) continue;
    const rel = relative(root, file);
    if (only.length && !only.some((o) => rel.includes(o))) continue;
    files.push(rel);
  }
}
files.sort();
// The spec reporter, and after its summary how any test process that crashed or exited non-zero ended.
const reporters = [
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=./scripts/test-process-ends.mjs',
  '--test-reporter-destination=stdout',
];
const args = ['--conditions=source', '--import', 'tsx', '--test', '--test-concurrency=2', ...reporters, ...files];
const { status } = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exit(status ?? 1);
