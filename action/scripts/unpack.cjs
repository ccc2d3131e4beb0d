'use strict';
// dist/unpack.cjs (copied from action/scripts/unpack.cjs by scripts/build.mjs): the large files
// dist/ ships brotli-compressed (`<file>.br`, listed in dist/unpack.json with the size and SHA-256
// of their content) are decompressed on first use into a cache folder, once per content: later
// runs, and other runs at the same time, find them there. What asks for a file:
//   dist/index.js (src/packed.ts)             pglite.wasm, pglite.data (then tells core where)
//   node_modules/typescript/lib/load.js       TypeScript's compiler, when core requires it
//   node_modules/esbuild/lib/main.js          the native esbuild binary (linux-x64)
//   node_modules/esbuild/wasm/bin/esbuild     esbuild.wasm (every other OS and CPU)
// CommonJS and synchronous: the two stubs are `require`d, and a worker thread may ask too.
const { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { tmpdir } = require('node:os');
const { basename, join } = require('node:path');
const { brotliDecompressSync } = require('node:zlib');

let manifest;

/** The build's record of a compressed file (path relative to dist/, with `/`). */
function entryOf(file) {
  manifest ??= JSON.parse(readFileSync(join(__dirname, 'unpack.json'), 'utf8'));
  const entry = manifest.files[file];
  if (!entry) throw new Error(`unpack: ${file} is not one of the files dist/ ships compressed (${Object.keys(manifest.files).join(', ')})`);
  return entry;
}

/**
 * Where unpacked files go, in order: beside the action (on a self-hosted runner it outlives the
 * job; node_modules/.cache is where core keeps PGlite's snapshot, and git ignores it), else the
 * temporary folder (a read-only checkout). A folder per content hash: a new version of the action
 * never reads an old file, and nothing is ever rewritten in place.
 */
function cacheRoots() {
  return [join(__dirname, 'node_modules', '.cache', 'skene', 'unpacked'), join(tmpdir(), 'skene-cache', 'unpacked')];
}

function complete(path, bytes) {
  try {
    return statSync(path).size === bytes;
  } catch {
    return false;
  }
}

/**
 * The path of `file` (relative to dist/, e.g. `pglite.wasm`) decompressed, unpacking it on first
 * use. A file is written under a temporary name and renamed: a run that finds the name finds the
 * whole file, and two first runs at once each write their own and the last rename wins.
 */
function unpacked(file) {
  const { bytes, sha256, executable } = entryOf(file);
  const roots = cacheRoots();
  const targets = roots.map((root) => join(root, sha256.slice(0, 16), basename(file)));
  const found = targets.find((target) => complete(target, bytes));
  if (found) return found;
  const content = brotliDecompressSync(readFileSync(join(__dirname, `${file}.br`)));
  if (content.length !== bytes || createHash('sha256').update(content).digest('hex') !== sha256) {
    throw new Error(`unpack: dist/${file}.br does not decompress to the file the build recorded; rebuild the action (npm run build -w action)`);
  }
  const failures = [];
  for (const target of targets) {
    const temporary = `${target}.${process.pid}.${Date.now()}.partial`;
    try {
      mkdirSync(join(target, '..'), { recursive: true });
      writeFileSync(temporary, content);
      if (executable) chmodSync(temporary, 0o755);
      renameSync(temporary, target);
      return target;
    } catch (error) {
      rmSync(temporary, { force: true });
      // Windows refuses to replace a file in use (esbuild running from it): it is complete, use it.
      if (complete(target, bytes)) return target;
      failures.push(`${target}: ${error.code ?? error.message}`);
    }
  }
  throw new Error(`unpack: cannot write ${file} into a cache folder (${failures.join('; ')}); make one of them writable`);
}

module.exports = { unpacked };
