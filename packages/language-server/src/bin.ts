#!/usr/bin/env node
/**
 * `skene-language-server --stdio` (or `--node-ipc`, `--socket=<port>`, `--pipe=<name>`): the Skene
 * language server for `skene.config.ts`.
 *
 * A fast cold start (see @skene/core's code-cache.ts): TypeScript, then the server with all of core in one
 * bundle (dist/server.cjs, built by scripts/bundle.mjs), are loaded through V8 code caches.
 * Without the bundle (the extension bundles this file itself) the modules are imported as usual.
 * The command npm links is this file as CommonJS, dist/bin.cjs (scripts/bundle.mjs): started as an
 * ES module, Node loads its ES module loader and each imported file (~10–20 ms of a cold start).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadWithCodeCache, preloadTypeScript } from '@skene/core/code-cache';
import { restartWithAnalysisFlags } from '@skene/core/v8-flags';

const args = process.argv.slice(2);
if (args.includes('--version')) {
  process.stdout.write('skene-language-server 0.1.0\n');
  process.exit(0);
}
if (!args.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket=') || a.startsWith('--pipe='))) {
  process.stderr.write('usage: skene-language-server --stdio | --node-ipc | --socket=<port> | --pipe=<name>\n');
  process.exit(2);
}

// Over Node IPC the extension passes the flags itself (the channel may not survive an exec).
if (!args.includes('--node-ipc')) restartWithAnalysisFlags();

const bundleUrl = new URL('./server.cjs', import.meta.url);
const bundle = bundleUrl.protocol === 'file:' && existsSync(bundleUrl) ? fileURLToPath(bundleUrl) : undefined;
// Before anything loads core, which requires TypeScript from where it is (the bundle, or core's dist/).
const caches = [preloadTypeScript(() => (bundle ? bundleUrl.href : import.meta.resolve('@skene/core/analysis')))];
const bundled = bundle ? loadWithCodeCache<typeof import('./main.js')>(bundle, 'server') : undefined;
if (bundled) caches.push(bundled.cache);
const save = () => caches.forEach((c) => c.save());
const hooks = {
  // Once the parser and the analysis have run, their compiled code goes into the caches too;
  // written off the hot path.
  afterFirstAnalysis: () => setTimeout(save, 2000).unref(),
  beforeShutdown: save,
};

// No top-level await: scripts/bundle.mjs also builds this file as dist/bin.cjs, the command npm links.
if (bundled) bundled.exports.main(hooks);
else void import('./main.js').then(({ main }) => main(hooks));
