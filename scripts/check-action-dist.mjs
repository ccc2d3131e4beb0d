#!/usr/bin/env node
// Fails when the committed action/dist/ is not what action/scripts/build.mjs builds from the
// current sources and lockfile: rebuilds into a temporary folder and compares every file, byte
// for byte, both ways (changed, missing, extra). CI runs it; fix with `npm run build -w action`.
// The brotli-compressed files (`*.br`, action/scripts/compress.mjs) come out byte for byte the same
// from the same input and brotli version; where a different Node's brotli compressed them, their
// decompressed content is compared instead: that is what the action runs.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { brotliDecompressSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const committed = join(root, 'action', 'dist');
const fresh = mkdtempSync(join(tmpdir(), 'skene-action-dist-'));

function files(dir) {
  const out = [];
  try {
    statSync(dir);
  } catch {
    return out;
  }
  for (const entry of readdirSync(dir, { recursive: true })) {
    const abs = join(dir, entry);
    // Caches written at run time (PGlite's data directory), not part of the build.
    if (String(entry).split(/[\\/]/).includes('.cache')) continue;
    if (statSync(abs).isFile()) out.push(relative(dir, abs).split('\\').join('/'));
  }
  return out.sort();
}

function same(file, a, b) {
  const left = readFileSync(a);
  const right = readFileSync(b);
  if (left.equals(right)) return true;
  if (!file.endsWith('.br')) return false;
  try {
    return brotliDecompressSync(left).equals(brotliDecompressSync(right));
  } catch {
    return false; // a committed file that is not brotli at all is stale
  }
}

function executable(path) {
  return process.platform === 'win32' || (statSync(path).mode & 0o111) !== 0;
}

try {
  const build = spawnSync(process.execPath, [join(root, 'action', 'scripts', 'build.mjs'), '--outdir', fresh, '--quiet'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('check-action-dist: the build failed');
    process.exit(1);
  }
  const want = files(fresh);
  const have = new Set(files(committed));
  const problems = [];
  for (const file of want) {
    if (!have.has(file)) problems.push(`missing: action/dist/${file}`);
    else if (!same(file, join(fresh, file), join(committed, file))) problems.push(`stale:   action/dist/${file}`);
    else if (executable(join(fresh, file)) !== executable(join(committed, file))) problems.push(`mode:    action/dist/${file} (executable bit)`);
    have.delete(file);
  }
  for (const file of have) problems.push(`extra:   action/dist/${file}`);
  if (problems.length) {
    console.error(`action/dist/ is out of date (${problems.length} file${problems.length === 1 ? '' : 's'}):`);
    for (const p of problems.slice(0, 50)) console.error(`  ${p}`);
    console.error('Rebuild with `npm run build -w action` and commit action/dist/.');
    process.exit(1);
  }
  // A file .gitignore hides is fine here and missing in every clone (CI, the runner): refuse it.
  const ignored = spawnSync('git', ['ls-files', '--others', '--ignored', '--exclude-standard', '--', 'action/dist'], { cwd: root, encoding: 'utf8' });
  const hidden = ignored.status === 0 ? ignored.stdout.split('\n').filter((f) => f && !f.split('/').includes('.cache')) : [];
  if (hidden.length) {
    console.error(`action/dist/ has files git ignores (they would be missing from every clone):\n${hidden.map((f) => `  ${f}`).join('\n')}`);
    console.error('Un-ignore them in action/.gitignore.');
    process.exit(1);
  }
  const bytes = want.reduce((n, f) => n + statSync(join(fresh, f)).size, 0);
  console.log(`action/dist/ is up to date (${want.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB).`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
