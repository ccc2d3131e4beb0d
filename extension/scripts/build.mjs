// Bundles the extension for the VS Code extension host, with esbuild (no npm install at run time):
//   dist/extension.cjs  the extension (CJS; `vscode` is provided by the host)
//   dist/server.mjs     the language server (packages/language-server, node IPC), with core and all its dependencies;
//                       with --skene-worker, the starter and plan worker the extension forks per request
//   dist/sdk.mjs        @skene/sdk as ESM: the plan compiles the user's config against it
//   dist/pglite-worker.js  the embedded PostgreSQL's worker thread (core starts it beside the bundle)
//   dist/package.json   {"type":"module"}
//   dist/*.wasm, dist/pglite.data   the WebAssembly files core's dependencies load next to their code
// Usage: node scripts/build.mjs [--dev] [--outdir dir] [--quiet]   (minified, no source maps by default; default outdir dist/)
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const ext = join(here, '..');
const repo = join(ext, '..');
const { values: options } = parseArgs({ options: { dev: { type: 'boolean' }, outdir: { type: 'string' }, quiet: { type: 'boolean' } } });
const dist = options.outdir ? resolve(options.outdir) : join(ext, 'dist');
const dev = options.dev === true;
const require = createRequire(join(repo, 'packages/core/package.json'));

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // `source` resolves the workspace packages to their TypeScript sources (as the tests do).
  conditions: ['source'],
  mainFields: ['module', 'main'],
  minify: !dev,
  sourcemap: dev ? 'linked' : false,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
};

// The server bundle is ESM (the server's entry uses top-level await); CommonJS code inside it gets
// `require`, `__filename` and `__dirname` from the banner. import.meta.resolve has two callers:
// '@skene/sdk' (the plan compiles the user's config against the sdk Skene ships: dist/sdk.mjs) and
// '@skene/core/analysis' (a base for createRequire, which runtime-modules.ts answers): both resolve
// beside the bundle.
const serverBanner = [
  "import { createRequire as __skeneCreateRequire } from 'node:module';",
  "import { fileURLToPath as __skeneFileURLToPath } from 'node:url';",
  "import { dirname as __skeneDirname } from 'node:path';",
  'const require = __skeneCreateRequire(import.meta.url);',
  'const __filename = __skeneFileURLToPath(import.meta.url);',
  'const __dirname = __skeneDirname(__filename);',
  "const __skene_import_meta_resolve = (s) => (s === '@skene/sdk' ? new URL('./sdk.mjs', import.meta.url).href : import.meta.url);",
].join('\n');

const pgliteWorker = join(repo, 'packages/core/src/sources/pglite-worker.ts');
const results = await Promise.all([
  esbuild.build({ ...common, format: 'cjs', entryPoints: { extension: join(ext, 'src/extension.ts') }, outExtension: { '.js': '.cjs' }, outdir: dist, external: ['vscode'] }),
  // esbuild itself (core compiles configs and templates with it) → the TypeScript-based shim.
  esbuild.build({
    ...common, format: 'esm', entryPoints: { server: join(ext, 'src/server-main.ts') }, outExtension: { '.js': '.mjs' }, outdir: dist,
    banner: { js: serverBanner }, define: { 'import.meta.resolve': '__skene_import_meta_resolve' },
    alias: { esbuild: join(ext, 'src/esbuild-shim.ts') },
    // Optional native add-ons the database drivers try and do without.
    external: ['pg-native', 'cloudflare:sockets'],
  }),
  esbuild.build({ ...common, format: 'esm', entryPoints: { sdk: join(repo, 'packages/sdk/src/index.ts') }, outExtension: { '.js': '.mjs' }, outdir: dist }),
  // The embedded PostgreSQL runs in a worker thread that imports ./pglite-worker.js beside the bundle.
  ...(existsSync(pgliteWorker)
    ? [esbuild.build({ ...common, format: 'esm', entryPoints: { 'pglite-worker': pgliteWorker }, outdir: dist, banner: { js: serverBanner }, define: { 'import.meta.resolve': '__skene_import_meta_resolve' } })]
    : []),
  // A plan runs skene.config.ts in a worker thread that imports ./config-worker.js beside the bundle.
  esbuild.build({ ...common, format: 'esm', entryPoints: { 'config-worker': join(repo, 'packages/core/src/plan/config-worker.ts') }, outdir: dist, banner: { js: serverBanner } }),
]);
// The bundles are ES modules, also where no package.json says so (a build into another folder).
writeFileSync(join(dist, 'package.json'), `${JSON.stringify({ type: 'module', private: true })}\n`);

// WebAssembly the bundled dependencies load from the bundle's folder (__dirname / import.meta.url).
const pglite = dirname(require.resolve('@electric-sql/pglite'));
const assets = [
  join(dirname(require.resolve('libpg-query')), 'libpg-query.wasm'),
  join(pglite, 'pglite.wasm'),
  join(pglite, 'pglite.data'),
  join(pglite, 'initdb.wasm'),
];
for (const file of assets) copyFileSync(file, join(dist, file.split('/').pop()));

if (!options.quiet) for (const r of results) {
  for (const [file, out] of Object.entries(r.metafile.outputs)) {
    if (file.endsWith('.map')) continue;
    console.log(`${file.replace(`${ext}/`, '').padEnd(24)} ${(out.bytes / 1024).toFixed(0).padStart(6)} KiB`);
  }
}
if (!options.quiet) for (const file of assets) console.log(`${`dist/${file.split('/').pop()}`.padEnd(24)} ${(statSync(file).size / 1024).toFixed(0).padStart(6)} KiB`);
