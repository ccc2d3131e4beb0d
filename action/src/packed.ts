/**
 * dist/ ships its largest files brotli-compressed (scripts/compress.mjs) and dist/unpack.cjs
 * decompresses each once into a cache. TypeScript and esbuild unpack themselves when core loads
 * them (their stubs in dist/node_modules); PGlite's two files are unpacked here and core is told
 * where they are, before anything opens the embedded database. Run from the sources (tests),
 * there is no unpack.cjs beside this module and PGlite loads its own files.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { setPgliteAssets } from '@skene/core';
import { ActionError } from './errors.js';

interface Unpacker {
  unpacked(file: string): string;
}

/** Unpacks PGlite's files (a cache hit after the first run) and hands their paths to core. */
export function usePackedFiles(moduleUrl: string = import.meta.url): void {
  const unpacker = fileURLToPath(new URL('./unpack.cjs', moduleUrl));
  if (!existsSync(unpacker)) return;
  try {
    const { unpacked } = createRequire(moduleUrl)(unpacker) as Unpacker;
    setPgliteAssets({ wasm: unpacked('pglite.wasm'), data: unpacked('pglite.data') });
  } catch (error) {
    throw new ActionError(`the action could not unpack its files: ${(error as Error).message}`, { cause: error });
  }
}
