// dist/check.cjs: `skene check` (src/commands/check.ts) with core's analysis and its dependencies
// in one CommonJS file, so that bin.js compiles it from a V8 code cache: Node 20 has no compile
// cache for ES modules, and importing core's analysis module by module was about a third of a
// check's time. Left out, as for the language server's bundle: TypeScript (bin.js preloads it
// through its own cache; core finds it with createRequire) and esbuild (never on check's path).
// libpg-query's WebAssembly is copied beside the bundle, where its loader looks.
import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(pkg, 'dist');
const require = createRequire(join(pkg, '../core/package.json'));

const result = await esbuild.build({
  entryPoints: [join(pkg, 'src/commands/check.ts')],
  outfile: join(dist, 'check.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  conditions: ['source'],
  mainFields: ['module', 'main'],
  external: ['typescript', 'esbuild', 'pg-native', 'cloudflare:sockets'],
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
if (dynamic.length) throw new Error(`dist/check.cjs must not import() at run time (require instead): ${dynamic.map((i) => i.path).join(', ')}`);
copyFileSync(join(dirname(require.resolve('libpg-query')), 'libpg-query.wasm'), join(dist, 'libpg-query.wasm'));
