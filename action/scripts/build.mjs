#!/usr/bin/env node
// Bundles the action into dist/ (committed): the runner has no node_modules, so dist/ holds
// everything the action loads at run time.
//
//   dist/index.js            the action and @skene/core, one ESM file (esbuild, platform node)
//   dist/pglite-worker.js    core's worker threads (scripts/bundle-core.mjs lists them): the
//   dist/render-worker.js    embedded PostgreSQL, React Email renders, the thread a plan runs
//   dist/config-worker.js    skene.config.ts in; core starts each beside index.js
//   dist/react-production.js React's production build, chosen before the bundle runs
//   dist/*.wasm, *.data      PGlite's and libpg-query's WebAssembly files, which the bundle loads
//                            from beside itself (new URL(…, import.meta.url) / __dirname)
//   dist/node_modules/       what core loads by package name at run time, so it must exist as files:
//     esbuild                  the native binary on linux-x64, esbuild-wasm elsewhere (any OS and
//                              CPU); core compiles configs and React Email templates with it
//     react, react-dom         one React instance shared by the bundle and compiled templates
//                              (core requires them by name); the files the entry points reach
//     @react-email/components  its packages prebundled one by one: what templates import, found
//                              through core's node paths
//     @skene/sdk               prebundled: the plan compiles configs with `@skene/sdk` aliased to it
//     typescript               the compiler (core requires it lazily, by name)
//     @electric-sql/pglite     package.json only: core reads PGlite's version from it (cache key)
//
// Compressed (compress.mjs): the five largest files, 47 of 61 MiB, that a run loads once or never
// (the esbuild build of the other platforms) are stored as `<file>.br` (brotli, quality 11), so
// dist/ is about 24 MiB — every clone of the action's repository and every runner downloads it:
//   native esbuild, esbuild.wasm, typescript.js, pglite.wasm, pglite.data
//   dist/unpack.cjs, unpack.json   decompress one on first use into a cache folder keyed by its
//                                  SHA-256 (see unpack.cjs); the esbuild shim, esbuild-wasm's
//                                  launcher and typescript's lib/load.js ask for theirs, and
//                                  src/packed.ts for PGlite's, whose paths it gives core
//
// Usage: node action/scripts/build.mjs [--outdir <dir>] [--rev <commit>]   (default: action/dist, the files on disk)
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import {
  COMMONJS_GLOBALS,
  CORE_DIR,
  CORE_WORKERS,
  copyCoreAssets,
  packageDir,
  REACT_PRODUCTION,
  SDK_DIR,
  SDK_ENTRY,
  writeModulePackageJson,
  writeReactProduction,
} from '../../scripts/bundle-core.mjs';
import { minifyTypeScript } from '../../scripts/bundle-cached.mjs';
import { compressLargeFiles } from './compress.mjs';

const actionDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { outdir: { type: 'string' }, quiet: { type: 'boolean' }, rev: { type: 'string' } } });
const repoRoot = resolve(actionDir, '..');

/**
 * `--rev <commit>`: the workspace sources (packages/*, action/src) are read from that commit
 * (`git show`) instead of the disk, so a shared checkout with others' uncommitted edits still
 * builds exactly the dist/ that CI builds from the commit. Paths, and so the output, are the same.
 */
const fromRevision = values.rev
  ? [
      {
        name: 'skene-sources-at-revision',
        setup(b) {
          const loaders = { '.ts': 'ts', '.tsx': 'tsx', '.mts': 'ts', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.json': 'json' };
          b.onLoad({ filter: /\.(ts|tsx|mts|js|mjs|cjs|json)$/ }, (args) => {
            const rel = relative(repoRoot, args.path).split('\\').join('/');
            if (!/^(packages\/[^/]+\/src|action\/src)\//.test(rel)) return undefined;
            const contents = execFileSync('git', ['show', `${values.rev}:${rel}`], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
            return { contents, loader: loaders[extname(args.path)] ?? 'js' };
          });
        },
      },
    ]
  : [];
const outdir = resolve(values.outdir ?? join(actionDir, 'dist'));
const require = createRequire(join(actionDir, 'package.json'));

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

// Packages the bundle must not inline (core loads them by name, or they run as their own process).
const EXTERNAL = ['esbuild', 'react', 'react/*', 'react-dom', 'react-dom/*'];
// Optional native add-ons the drivers try to load and do without.
const OPTIONAL = ['pg-native', 'cloudflare:sockets'];

const banner = [
  '// @skene/action: generated by action/scripts/build.mjs from action/src; do not edit.',
  // React is external: its production build is chosen before any bundled code runs.
  `import './${REACT_PRODUCTION}';`,
  ...COMMONJS_GLOBALS,
].join('\n');

// What the action's bundle and the prebundled sdk share: ESM for Node 20, workspace packages
// (@skene/core, @skene/sdk) from their TypeScript sources.
const esmBundle = { bundle: true, platform: 'node', target: 'node20', format: 'esm', conditions: ['source'], plugins: fromRevision };

const result = await esbuild.build({
  absWorkingDir: actionDir,
  // The action and core's worker threads (core starts ./<worker>.js beside index.js).
  entryPoints: { index: join(actionDir, 'src/index.ts'), ...CORE_WORKERS },
  outdir,
  ...esmBundle,
  external: [...EXTERNAL, ...OPTIONAL],
  banner: { js: banner },
  legalComments: 'eof',
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  metafile: true,
  logLevel: 'warning',
  logOverride: { 'empty-import-meta': 'silent', 'require-resolve-not-external': 'silent', 'commonjs-variable-in-esm': 'silent' },
});

writeModulePackageJson(outdir);
writeReactProduction(outdir, 'action/scripts/build.mjs');
copyCoreAssets(outdir);

const vendor = join(outdir, 'node_modules');

/** A vendored package's package.json: what Node reads of it (name, main, type) and where it came from. */
function writePackageJson(dir, fields) {
  writeFileSync(join(dir, 'package.json'), JSON.stringify(fields, null, 2) + '\n');
}

// `esbuild`: core's JavaScript API over the native binary on linux-x64 (GitHub's ubuntu runners;
// WebAssembly takes seconds just to start), esbuild-wasm everywhere else (any OS and CPU).
{
  const to = join(vendor, 'esbuild');
  const nativeDir = packageDir('esbuild');
  const version = JSON.parse(readFileSync(join(nativeDir, 'package.json'), 'utf8')).version;
  // The native API (it runs the binary named by ESBUILD_BINARY_PATH)…
  mkdirSync(join(to, 'native', 'lib'), { recursive: true });
  cpSync(join(nativeDir, 'lib', 'main.js'), join(to, 'native', 'lib', 'main.js'));
  let linuxX64;
  try {
    linuxX64 = join(packageDir('@esbuild/linux-x64', createRequire(join(nativeDir, 'package.json'))), 'bin', 'esbuild');
  } catch {
    throw new Error('build: @esbuild/linux-x64 is not installed (build the action on linux-x64, as CI does, so dist/ is the same everywhere)');
  }
  mkdirSync(join(to, 'native', 'linux-x64'), { recursive: true });
  cpSync(linuxX64, join(to, 'native', 'linux-x64', 'esbuild'));
  chmodSync(join(to, 'native', 'linux-x64', 'esbuild'), 0o755);
  // …and the WebAssembly build, with its own API (it runs `node wasm/bin/esbuild`).
  const wasmDir = packageDir('esbuild-wasm', require);
  const wasmVersion = JSON.parse(readFileSync(join(wasmDir, 'package.json'), 'utf8')).version;
  if (wasmVersion !== version) throw new Error(`build: esbuild-wasm ${wasmVersion} differs from esbuild ${version}; install the same version`);
  for (const file of ['lib/main.js', 'bin/esbuild', 'esbuild.wasm', 'wasm_exec_node.js', 'wasm_exec.js', 'LICENSE.md']) {
    mkdirSync(dirname(join(to, 'wasm', file)), { recursive: true });
    cpSync(join(wasmDir, file), join(to, 'wasm', file));
  }
  // esbuild.wasm ships compressed (compress.mjs): the launcher (`node wasm/bin/esbuild`, a process
  // of its own) runs the copy dist/unpack.cjs decompresses.
  {
    const launcher = join(to, 'wasm', 'bin', 'esbuild');
    const upstream = "const esbuild_wasm = path.join(__dirname, '..', 'esbuild.wasm');";
    const text = readFileSync(launcher, 'utf8');
    if (text.split(upstream).length !== 2) throw new Error(`build: esbuild-wasm's bin/esbuild no longer reads \`${upstream}\`; update build.mjs`);
    const unpacked =
      "const esbuild_wasm = require('../../../../unpack.cjs').unpacked('node_modules/esbuild/wasm/esbuild.wasm'); // @skene/action: shipped compressed";
    writeFileSync(launcher, text.replace(upstream, unpacked));
  }
  cpSync(join(nativeDir, 'LICENSE.md'), join(to, 'LICENSE.md'));
  const apiNames = Object.keys(createRequire(import.meta.url)(join(nativeDir, 'lib', 'main.js')))
    .filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default')
    .sort();
  mkdirSync(join(to, 'lib'), { recursive: true });
  writeFileSync(
    join(to, 'lib', 'main.js'),
    [
      '// Generated by @skene/action (scripts/build.mjs): the native esbuild where this build ships one, else esbuild-wasm.',
      "'use strict';",
      "const { existsSync } = require('node:fs');",
      "const { join } = require('node:path');",
      // The binary ships compressed (compress.mjs): run the copy dist/unpack.cjs decompresses.
      'const native = `node_modules/esbuild/native/${process.platform}-${process.arch}/esbuild`;',
      'if (!process.env.ESBUILD_BINARY_PATH && existsSync(join(__dirname, "..", "..", "..", `${native}.br`))) process.env.ESBUILD_BINARY_PATH = require("../../../unpack.cjs").unpacked(native);',
      'const impl = process.env.ESBUILD_BINARY_PATH ? require("../native/lib/main.js") : require("../wasm/lib/main.js");',
      // One `exports.<name> =` per API function: how Node finds the named exports of a CommonJS
      // module (`import { build } from 'esbuild'`), which a conditional re-export would hide.
      ...apiNames.map((name) => `exports.${name} = impl.${name};`),
      '',
    ].join('\n'),
  );
  writePackageJson(to, {
    name: 'esbuild',
    version,
    license: 'MIT',
    description: 'esbuild (native on linux-x64, else esbuild-wasm), vendored by @skene/action',
    main: 'lib/main.js',
  });
}

// React and react-dom: the files their entry points reach (both NODE_ENV branches), as published.
{
  const entries = ['react', 'react/jsx-runtime', 'react/jsx-dev-runtime', 'react-dom', 'react-dom/server', 'react-dom/server.node', 'react-dom/static'];
  const traced = await esbuild.build({
    absWorkingDir: CORE_DIR,
    stdin: { contents: entries.map((e) => `require(${JSON.stringify(e)});`).join('\n'), resolveDir: CORE_DIR, loader: 'js' },
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    metafile: true,
    logLevel: 'silent',
  });
  const packages = new Set();
  for (const input of Object.keys(traced.metafile.inputs)) {
    const abs = resolve(CORE_DIR, input);
    const m = /^(.*[\\/]node_modules[\\/])((?:@[^\\/]+[\\/])?[^\\/]+)[\\/](.*)$/.exec(abs);
    if (!m) continue;
    const [, root, name, file] = m;
    packages.add(JSON.stringify([root, name]));
    mkdirSync(dirname(join(vendor, name, file)), { recursive: true });
    cpSync(abs, join(vendor, name, file));
  }
  for (const entry of packages) {
    const [root, name] = JSON.parse(entry);
    for (const file of ['package.json', 'LICENSE']) if (existsSync(join(root, name, file))) cpSync(join(root, name, file), join(vendor, name, file));
  }
}

// @react-email/components, as the barrel it is: each React Email package it re-exports prebundled
// into a file of its own (React and the sibling packages external), and the barrel re-exporting
// them. A template that names its components is then bundled from those packages alone (core's
// email/components-barrel.ts), without esbuild parsing Tailwind, Prism and Prettier each time.
{
  const from = packageDir('@react-email/components');
  const pkg = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8'));
  const barrel = readFileSync(join(from, 'dist/index.mjs'), 'utf8');
  const members = [...barrel.matchAll(/^export \* from "(@react-email\/[a-z-]+)"$/gm)].map((m) => m[1]);
  if (members.length < 10) throw new Error(`@react-email/components ${pkg.version}: expected its re-exports, found ${members.length}`);
  const fromComponents = createRequire(join(from, 'package.json'));
  for (const member of members) {
    const entry = fromComponents.resolve(member);
    const memberDir = packageDir(member, fromComponents);
    const to = join(vendor, member);
    await esbuild.build({
      absWorkingDir: memberDir, // the paths esbuild writes into the bundle: the same from any checkout
      entryPoints: [entry],
      outfile: join(to, 'index.js'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['react', 'react/*', 'react-dom', 'react-dom/*', ...members.filter((m) => m !== member)],
      legalComments: 'eof',
      minifyWhitespace: true,
      minifySyntax: true,
      keepNames: true,
      logLevel: 'warning',
    });
    const memberPkg = JSON.parse(readFileSync(join(memberDir, 'package.json'), 'utf8'));
    writePackageJson(to, {
      name: member,
      version: memberPkg.version,
      license: memberPkg.license,
      description: `${member}, prebundled by @skene/action`,
      main: 'index.js',
    });
  }
  const to = join(vendor, '@react-email', 'components');
  mkdirSync(to, { recursive: true });
  writeFileSync(join(to, 'index.mjs'), members.map((m) => `export * from ${JSON.stringify(m)};`).join('\n') + '\n');
  writePackageJson(to, {
    name: pkg.name,
    version: pkg.version,
    license: pkg.license,
    description: `${pkg.name}, its packages prebundled by @skene/action`,
    main: 'index.mjs',
  });
}

// @skene/sdk, prebundled (zod inlined): the plan compiles the user's config with `@skene/sdk`
// aliased to the sdk Skene ships, found with import.meta.resolve from the bundle.
{
  const pkg = JSON.parse(readFileSync(join(SDK_DIR, 'package.json'), 'utf8'));
  const to = join(vendor, '@skene', 'sdk');
  await esbuild.build({
    absWorkingDir: SDK_DIR,
    entryPoints: [SDK_ENTRY],
    outfile: join(to, 'dist', 'index.js'),
    ...esmBundle,
    legalComments: 'eof',
    logLevel: 'warning',
  });
  writePackageJson(to, {
    name: pkg.name,
    version: pkg.version,
    license: pkg.license,
    description: `${pkg.name}, prebundled by @skene/action`,
    type: 'module',
    main: './dist/index.js',
    exports: { '.': './dist/index.js' },
  });
}

// TypeScript, which core loads with require (lazily, as CommonJS: faster than lexing it as ESM).
// Only the compiler, minified, and package.json: parsing a config needs no lib.d.ts files. The
// compiler ships compressed (compress.mjs); the package's main, lib/load.js, requires the unpacked copy.
{
  const from = packageDir('typescript');
  const pkg = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8'));
  const to = join(vendor, 'typescript');
  mkdirSync(join(to, 'lib'), { recursive: true });
  await minifyTypeScript({ from: join(from, 'lib', 'typescript.js'), to: join(to, 'lib', 'typescript.js') });
  writeFileSync(
    join(to, 'lib', 'load.js'),
    [
      '// Generated by @skene/action (scripts/build.mjs): typescript.js ships brotli-compressed; this loads the copy dist/unpack.cjs decompresses.',
      "'use strict';",
      "module.exports = require(require('../../../unpack.cjs').unpacked('node_modules/typescript/lib/typescript.js'));",
      '',
    ].join('\n'),
  );
  cpSync(join(from, 'LICENSE.txt'), join(to, 'LICENSE.txt'));
  writePackageJson(to, {
    name: pkg.name,
    version: pkg.version,
    license: pkg.license,
    description: `${pkg.name}'s compiler only, vendored by @skene/action`,
    main: './lib/load.js',
  });
}

// PGlite's version, where core looks for it (the key of its cached data directory); the code is in index.js.
{
  const pkg = JSON.parse(readFileSync(join(packageDir('@electric-sql/pglite'), 'package.json'), 'utf8'));
  const to = join(vendor, '@electric-sql', 'pglite');
  mkdirSync(to, { recursive: true });
  writePackageJson(to, {
    name: pkg.name,
    version: pkg.version,
    license: pkg.license,
    description: `${pkg.name}'s version only: @skene/action bundles PGlite into dist/index.js`,
    main: 'index.cjs',
  });
  writeFileSync(join(to, 'index.cjs'), "throw new Error('@skene/action bundles PGlite into dist/index.js; this stub only carries its version');\n");
}

// Last: every file is in place (the stubs above load the unpacked copies).
await compressLargeFiles(outdir);

if (!values.quiet) {
  const bytes = result.metafile.outputs[relative(actionDir, join(outdir, 'index.js'))]?.bytes;
  console.log(`action: built ${relative(process.cwd(), outdir) || '.'}/index.js${bytes ? ` (${(bytes / 1024 / 1024).toFixed(1)} MiB)` : ''}`);
}
