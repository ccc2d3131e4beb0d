// dist/server.cjs: the language server (src/main.ts) with core and its dependencies in one
// CommonJS file, so that bin.js can compile it from a V8 code cache (Node 20 has none for ES
// modules, and importing ~200 modules one by one is most of a cold start). Run by `npm run build`
// after tsc. Left out and required at run time from node_modules: TypeScript (bin.js loads it
// through its own code cache; core finds it with createRequire) and esbuild (core's, never used by
// the server's code paths). The MySQL grammar is in: its import() becomes a lazy require, as the
// bundle may not import() (checked below). libpg-query's WebAssembly is copied beside the bundle,
// where its loader looks.
import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const dist = join(pkg, 'dist');
const require = createRequire(join(pkg, '../core/package.json'));

const result = await esbuild.build({
  entryPoints: [join(pkg, 'src/main.ts')],
  outfile: join(dist, 'server.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // The workspace packages from their TypeScript sources (as the tests and the extension do).
  conditions: ['source'],
  mainFields: ['module', 'main'],
  external: ['typescript', 'esbuild', 'pg-native', 'cloudflare:sockets'],
  // import.meta in the bundled ES modules: the bundle's own URL (createRequire bases, WebAssembly).
  // import.meta.resolve only serves as a createRequire base in the server's code paths.
  banner: {
    js: 'var __skene_import_meta_url = require("node:url").pathToFileURL(__filename).href, __skene_import_meta_resolve = () => __skene_import_meta_url;',
  },
  define: { 'import.meta.url': '__skene_import_meta_url', 'import.meta.resolve': '__skene_import_meta_resolve' },
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
// bin.js compiles the bundle in a vm.Script, which has no loader for import() on Node 20.
const output = Object.values(result.metafile.outputs)[0];
const dynamic = output.imports.filter((i) => i.kind === 'dynamic-import' && i.external);
if (dynamic.length) throw new Error(`dist/server.cjs must not import() at run time (require instead): ${dynamic.map((i) => i.path).join(', ')}`);
copyFileSync(join(dirname(require.resolve('libpg-query')), 'libpg-query.wasm'), join(dist, 'libpg-query.wasm'));
