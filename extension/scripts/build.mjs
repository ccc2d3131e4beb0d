// Bundles the extension for the VS Code extension host, with esbuild (no npm install at run time):
//   dist/extension.cjs  the extension (CJS; `vscode` is provided by the host)
//   dist/server.cjs     the language server (packages/language-server, node IPC), with core and all its dependencies;
//                       with --skene-worker, the starter and plan worker the extension forks per request
//   dist/*.wasm, dist/pglite.data   the WebAssembly files core's dependencies load next to their code
// Usage: node scripts/build.mjs [--dev] (minified, no source maps by default).
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const ext = join(here, '..');
const repo = join(ext, '..');
const dist = join(ext, 'dist');
const dev = process.argv.includes('--dev');
const require = createRequire(join(repo, 'packages/core/package.json'));

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// ESM code (core, PGlite) reads import.meta.url: in a CJS bundle it is the bundle file's URL.
const importMetaShim = 'var __skene_import_meta_url = require("node:url").pathToFileURL(__filename).href;';
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // `source` resolves the workspace packages to their TypeScript sources (as the tests do).
  conditions: ['source'],
  mainFields: ['module', 'main'],
  minify: !dev,
  sourcemap: dev ? 'linked' : false,
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: importMetaShim },
  define: { 'import.meta.url': '__skene_import_meta_url' },
  metafile: true,
};

const results = await Promise.all([
  esbuild.build({ ...common, entryPoints: { extension: join(ext, 'src/extension.ts') }, outExtension: { '.js': '.cjs' }, outdir: dist, external: ['vscode'] }),
  esbuild.build({ ...common, entryPoints: { server: join(ext, 'src/server-main.ts') }, outExtension: { '.js': '.cjs' }, outdir: dist }),
]);

// WebAssembly the bundled dependencies load from the bundle's folder (__dirname / import.meta.url).
const pglite = dirname(require.resolve('@electric-sql/pglite'));
const assets = [
  join(dirname(require.resolve('libpg-query')), 'libpg-query.wasm'),
  join(pglite, 'pglite.wasm'),
  join(pglite, 'pglite.data'),
  join(pglite, 'initdb.wasm'),
];
for (const file of assets) copyFileSync(file, join(dist, file.split('/').pop()));

for (const r of results) {
  for (const [file, out] of Object.entries(r.metafile.outputs)) {
    if (file.endsWith('.map')) continue;
    console.log(`${file.replace(`${ext}/`, '').padEnd(24)} ${(out.bytes / 1024).toFixed(0).padStart(6)} KiB`);
  }
}
for (const file of assets) console.log(`${`dist/${file.split('/').pop()}`.padEnd(24)} ${(statSync(file).size / 1024).toFixed(0).padStart(6)} KiB`);
