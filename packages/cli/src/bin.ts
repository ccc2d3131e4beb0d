#!/usr/bin/env node
/**
 * `skene …`. A faster start (see @skene/core's code-cache.ts): TypeScript's 9 MB compiler, which
 * core's analysis requires as it loads, is compiled from a V8 code cache kept in the temporary
 * folder; the first run writes the cache as it exits. Without it, compiling TypeScript was about a
 * quarter of `skene check`'s time. Run as CommonJS (dist/bin.cjs, which bin/skene.cjs requires):
 * started as an ES module, Node loads its ES module loader and each imported file (~10–20 ms).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { preloadTypeScript } from '@skene/core/code-cache';
import { keepWasmCodeOnNode24, restartWithAnalysisFlags } from '@skene/core/v8-flags';
// Neither loads core's analysis (nor TypeScript) as it is imported: preloadTypeScript below still comes first.
import { bundleCaches, checkBundleFile } from './check-bundle.js';
import { exitWith } from './exit.js';
import { main } from './main.js';

// `skene check` parses every query with PostgreSQL's parser (WebAssembly): on Node 22+ V8's
// optimising compiler took ~500 MB and ~300 ms for it. Only check: the plan's PGlite is WebAssembly too.
const checking = process.argv.slice(2).find((a) => !a.startsWith('-')) === 'check';
if (checking) restartWithAnalysisFlags();
// The plan's and the runner's PGlite: set before the code caches below, which are keyed by the flags.
else keepWasmCodeOnNode24();

// TypeScript from where core will require it: the check bundle's folder, or core's.
const bundle = checking ? checkBundleFile() : undefined;
const typescript = preloadTypeScript(() => pathToFileURL(bundle ?? createRequire(import.meta.url).resolve('@skene/core/analysis')).href);

// `skene check | head`: a reader that stops early is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// No top-level await: scripts/bundle-check.mjs also builds this file as dist/bin.cjs, the command bin/skene.cjs runs.
const command = main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY),
});
exitWith(command, () => {
  // After the command: the cache then holds the functions it ran (written once, when there was none).
  typescript.save();
  for (const cache of bundleCaches) cache.save();
});
