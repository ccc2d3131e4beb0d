// One CommonJS bundle of a surface with core and its dependencies, made to be compiled from a V8
// code cache at start (core's code-cache.ts): Node 20 has no compile cache for ES modules, and
// importing core module by module was most of a cold start. Used for the language server
// (dist/server.cjs) and `skene check` (packages/cli/dist/check.cjs).
//
// Left out and required at run time from node_modules: TypeScript (the surface preloads it
// through its own code cache; core finds it with createRequire) and esbuild (never on these
// paths). The MySQL grammar is in: its import() becomes a lazy require, as a bundle compiled in a
// vm.Script may not import() on Node 20 (checked below). libpg-query's WebAssembly is copied
// beside the bundle, where its loader looks.
import { isAscii } from 'node:buffer';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as esbuild from 'esbuild';
import { CORE_DIR } from './bundle-core.mjs';

const coreRequire = createRequire(join(CORE_DIR, 'package.json'));

/** One CommonJS file for Node, of the workspace packages' TypeScript sources (as the tests and the extension read them). */
const NODE_BUNDLE = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  conditions: ['source'],
  // import.meta in bundled ES modules: the bundle's own URL (createRequire bases, WebAssembly, files
  // beside it). import.meta.resolve only serves as a createRequire base on these code paths.
  banner: {
    js: 'var __skene_import_meta_url = require("node:url").pathToFileURL(__filename).href, __skene_import_meta_resolve = () => __skene_import_meta_url;',
  },
  define: { 'import.meta.url': '__skene_import_meta_url', 'import.meta.resolve': '__skene_import_meta_resolve' },
  legalComments: 'none',
  logLevel: 'warning',
};

/**
 * A command's entry (`entry`, an ES module without top-level await) as a small CommonJS file,
 * `outfile`, with the few modules it imports statically (core's code cache and V8 flags); `external`
 * ones are left to import() at run time, beside it. Started as CommonJS, Node loads no ES module
 * loader and no file per import: ~10–20 ms of a cold start on Node 20.
 */
export async function bundleCommand({ entry, outfile, external }) {
  // Strict, as the ES module it was: the banner comes before esbuild's own "use strict", which then is no directive.
  const banner = { js: `"use strict";\n${NODE_BUNDLE.banner.js}` };
  await esbuild.build({ ...NODE_BUNDLE, banner, entryPoints: [entry], outfile, external });
  chmodSync(outfile, 0o755);
}

/** Bundles `entry` into `outfile` (CommonJS) and copies libpg-query.wasm beside it. */
export async function bundleForCodeCache({ entry, outfile }) {
  const result = await esbuild.build({
    ...NODE_BUNDLE,
    entryPoints: [entry],
    outfile,
    mainFields: ['module', 'main'],
    external: ['typescript', 'esbuild', 'pg-native', 'cloudflare:sockets'],
    plugins: [zodEnglishOnly, luxonEnglish],
    metafile: true,
    // What a cold start reads, checks and turns into a string shrinks by a third (2.4 → 1.6 MB: ~9 ms
    // of the language server's 100 ms load, A/B); the names stay, for the stack traces in its log.
    minifyWhitespace: true,
    minifySyntax: true,
    // ASCII: the code cache's loader reads it as a one-byte string, without UTF-8 decoding (on Node
    // 20, decoding 4.5 MB as UTF-8 took 30–50 ms of a cold start). Comments, where dependencies
    // wrote "—" and "…", are gone with the white space.
    charset: 'ascii',
  });
  const output = Object.values(result.metafile.outputs)[0];
  const dynamic = output.imports.filter((i) => i.kind === 'dynamic-import' && i.external);
  if (dynamic.length) throw new Error(`${outfile} must not import() at run time (require instead): ${dynamic.map((i) => i.path).join(', ')}`);
  copyFileSync(join(dirname(coreRequire.resolve('libpg-query')), 'libpg-query.wasm'), join(dirname(outfile), 'libpg-query.wasm'));
  if (!isAscii(readFileSync(outfile))) throw new Error(`${outfile} is not ASCII`);
  await minifyTypeScript({ from: coreRequire.resolve('typescript'), to: join(dirname(outfile), 'typescript.cjs') });
}

/**
 * zod's `locales` namespace (`z.locales`, `z.core.locales`) with English alone: esbuild cannot
 * tree-shake `export * as locales`, and the other languages were 370 KB of the 2.1 MB a cold start
 * reads from its code cache. Skene's messages are its own, in English; zod's default error map is
 * English and is loaded by zod itself (`config(en())`), not through this namespace.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/]/.test(args.importer)
        ? { path: 'locales', namespace: 'zod-english-only', pluginData: join(dirname(args.importer), '..', 'locales') }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: args.pluginData,
    }));
  },
};

/**
 * luxon with `en-US` as its default locale instead of the system's: otherwise the first date
 * cron-parser builds (to validate or describe a schedule) asks ICU for the system locale, which
 * loads ICU's date data, ~20 ms of a cold start. In these bundles luxon serves cron-parser alone,
 * whose parsing and stepping read numbers, never names, so the locale changes no result.
 */
const luxonEnglish = {
  name: 'luxon-english',
  setup(build) {
    build.onLoad({ filter: /[\\/]luxon[\\/]build[\\/]node[\\/]luxon\.js$/ }, (args) => ({
      contents: `${readFileSync(args.path, 'utf8')}\nexports.Settings.defaultLocale = 'en-US';\n`,
      loader: 'js',
    }));
  },
};

/**
 * TypeScript's compiler (`from`, its lib/typescript.js) minified into `to`: beside a bundle (core's
 * preloadTypeScript loads it) and in action/dist, a start reads, checks and compiles 3.6 MB
 * instead of 9 MB. ASCII, and its licence comment is kept.
 */
export async function minifyTypeScript({ from, to }) {
  const source = readFileSync(from, 'utf8');
  const { code } = await esbuild.transform(source, { minify: true, charset: 'ascii', legalComments: 'inline', target: 'node20', logLevel: 'warning' });
  writeFileSync(to, code);
}
