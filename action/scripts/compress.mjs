// The large files most runs never load (the esbuild build for other platforms) or load once (PGlite's
// WebAssembly and file bundle, TypeScript's compiler, the native esbuild), brotli-compressed in
// dist/: 42 of dist's 55 MiB become 10. dist/unpack.cjs decompresses each on first use (see there).
//
// Brotli at quality 11 takes minutes for these 42 MiB, so each result is kept in
// node_modules/.cache/skene-action-brotli under the SHA-256 of its input and the parameters: a
// rebuild (scripts/check-action-dist.mjs rebuilds to compare) reuses it. The output is the same
// for the same input, parameters and brotli version, which the key includes.
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants } from 'node:zlib';
import { REPO } from '../../scripts/bundle-core.mjs';

/** What is compressed, relative to dist/. */
export const COMPRESSED = [
  'node_modules/esbuild/native/linux-x64/esbuild',
  'node_modules/esbuild/wasm/esbuild.wasm',
  'node_modules/typescript/lib/typescript.js',
  'pglite.wasm',
  'pglite.data',
];

const QUALITY = 11;
const WINDOW = 24; // the largest window: these files repeat across megabytes
const CACHE = join(REPO, 'node_modules', '.cache', 'skene-action-brotli');
const compress = promisify(brotliCompress);

const sha256 = (buffer) => createHash('sha256').update(buffer).digest('hex');

async function brotli(content) {
  const cached = join(CACHE, `${sha256(content)}-q${QUALITY}-w${WINDOW}-brotli${process.versions.brotli ?? ''}.br`);
  if (existsSync(cached)) return readFileSync(cached);
  const out = await compress(content, {
    params: { [constants.BROTLI_PARAM_QUALITY]: QUALITY, [constants.BROTLI_PARAM_LGWIN]: WINDOW, [constants.BROTLI_PARAM_SIZE_HINT]: content.length },
  });
  try {
    mkdirSync(CACHE, { recursive: true });
    const partial = `${cached}.${process.pid}.partial`;
    writeFileSync(partial, out);
    renameSync(partial, cached);
  } catch {
    // no writable cache: the next build compresses again
  }
  return out;
}

/**
 * Replaces each COMPRESSED file in `outdir` by `<file>.br`, writes dist/unpack.json (each file's
 * size, SHA-256, executable bit) and copies unpack.cjs beside it. The files compress in parallel
 * (zlib's thread pool).
 */
export async function compressLargeFiles(outdir) {
  const files = {};
  await Promise.all(
    COMPRESSED.map(async (file) => {
      const path = join(outdir, file);
      const content = readFileSync(path);
      writeFileSync(`${path}.br`, await brotli(content));
      files[file] = { bytes: content.length, sha256: sha256(content), executable: file.startsWith('node_modules/esbuild/native/') };
      rmSync(path);
    }),
  );
  const sorted = Object.fromEntries(COMPRESSED.map((file) => [file, files[file]]));
  writeFileSync(join(outdir, 'unpack.json'), JSON.stringify({ files: sorted }, null, 2) + '\n');
  copyFileSync(join(dirname(fileURLToPath(import.meta.url)), 'unpack.cjs'), join(outdir, 'unpack.cjs'));
}
