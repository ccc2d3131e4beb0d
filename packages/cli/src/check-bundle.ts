/**
 * `skene check` from dist/check.cjs (scripts/bundle-check.mjs): the command and core's analysis in
 * one CommonJS file, compiled from a V8 code cache. Importing core's analysis module by module
 * (Node 20 has no compile cache for ES modules) was about a third of a check's time. Without the
 * bundle (running from the sources) the command is imported as usual.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadWithCodeCache, type CodeCache } from '@skene/core/code-cache';
import type { Command } from './main.js';

const bundleUrl = new URL('./check.cjs', import.meta.url);

/** The bundle's file, when this is the built CLI; TypeScript is then preloaded from where the bundle finds it. */
export function checkBundleFile(): string | undefined {
  return bundleUrl.protocol === 'file:' && existsSync(bundleUrl) ? fileURLToPath(bundleUrl) : undefined;
}

/** Code caches loaded this start; bin.ts writes them once the command has run. */
export const bundleCaches: CodeCache[] = [];

export function bundledCheckCommand(): Command | undefined {
  const file = checkBundleFile();
  const loaded = file ? loadWithCodeCache<typeof import('./commands/check.js')>(file, 'check') : undefined;
  if (!loaded) return undefined;
  bundleCaches.push(loaded.cache);
  return loaded.exports.checkCommand;
}
