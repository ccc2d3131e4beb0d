/**
 * A faster cold start: large CommonJS files — TypeScript's 9 MB compiler, the server bundle — are
 * compiled from V8 code caches kept in the temporary folder (what `v8-compile-cache` does for
 * `require`; Node 20 has no compile cache for ES modules). The first start compiles as usual and,
 * once the first config has been analysed (so the parser's and the rules' functions are compiled
 * too), writes the caches; later starts skip most of the compilation. Any problem falls back to
 * the ordinary `require`: a cache only ever makes the start faster, and V8 rejects one that does
 * not match its source.
 */
import { isAscii } from 'node:buffer';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { runtimeFlags } from './v8-flags.js';

interface CjsModule {
  exports: unknown;
  filename: string;
  paths: string[];
  loaded: boolean;
}
type ModuleInternals = typeof Module & {
  _cache: Record<string, CjsModule>;
  _nodeModulePaths(dir: string): string[];
  wrap(source: string): string;
  new (id: string, parent: unknown): CjsModule;
};

export interface CodeCache {
  /** Writes the cache if this start had none (call once the code has run). */
  save(): void;
  /** How the file was loaded: from the cache, compiled (cache to be written), or by plain require. */
  state: 'cached' | 'compiled' | 'plain';
}

const PLAIN: CodeCache = { save() {}, state: 'plain' };

/**
 * Has TypeScript load (as core will `require` it, when it first does) through a code cache.
 * Must run before `@skene/core` is imported: core's `require('typescript')` then finds it there.
 * Beside a bundle (scripts/bundle-cached.mjs) is TypeScript minified, `typescript.cjs`: 3.6 MB to
 * read and hash instead of 9 MB (about 80 ms of a `skene check`); it runs as the installed
 * TypeScript's file, so that what TypeScript finds beside itself is still there.
 */
export function preloadTypeScript(fromModuleUrl: () => string): CodeCache {
  if (process.env.SKENE_NO_CODE_CACHE === '1') return PLAIN;
  try {
    const from = fromModuleUrl();
    const file = createRequire(from).resolve('typescript');
    if ((Module as ModuleInternals)._cache[file]) return PLAIN;
    const minified = from.startsWith('file:') ? join(dirname(fileURLToPath(from)), 'typescript.cjs') : undefined;
    if (minified && existsSync(minified)) return loadOnFirstRequire(file, () => loadWithCodeCache(file, 'typescript-minified', minified));
    const version = /"version":\s*"([^"]+)"/.exec(readFileSync(join(dirname(file), '..', 'package.json'), 'utf8'))?.[1] ?? 'unknown';
    return loadOnFirstRequire(file, () => loadWithCodeCache(file, `typescript-${version}`));
  } catch {
    return PLAIN;
  }
}

/**
 * Registers `file` in require's cache as a getter that loads it through `load` when it is first
 * required: most configs are read without TypeScript (read-estree.ts), and a check of one then
 * never loads it. A load that fails leaves the entry to Node's own loader.
 */
function loadOnFirstRequire(file: string, load: () => { cache: CodeCache } | undefined): CodeCache {
  const cacheOfModules = (Module as ModuleInternals)._cache;
  let loaded: CodeCache | undefined;
  Object.defineProperty(cacheOfModules, file, {
    configurable: true,
    enumerable: false,
    get() {
      delete cacheOfModules[file];
      try {
        loaded = load()?.cache ?? PLAIN;
      } catch {
        loaded = PLAIN; // Node's require then loads (and reports) it as usual
      }
      return cacheOfModules[file];
    },
  });
  return {
    get state() {
      return loaded?.state ?? 'plain';
    },
    save: () => loaded?.save(),
  };
}

/**
 * Loads a CommonJS file as `require` would (and registers it), compiled through a code cache; its
 * code read from `sourceFile` when given (a minified copy of `file`).
 */
export function loadWithCodeCache<T>(file: string, name: string, sourceFile = file): { exports: T; cache: CodeCache } | undefined {
  if (process.env.SKENE_NO_CODE_CACHE === '1') return { exports: createRequire(file)(file) as T, cache: PLAIN };
  const M = Module as ModuleInternals;
  const source = readSource(sourceFile);
  const stamp = `${source.length}-${Math.round(statSync(sourceFile).mtimeMs)}`;
  // Per set of V8 flags: a cache made under other flags is rejected (and rewritten), so a check and a
  // plan that alternate would each rewrite the other's.
  const flags = [...process.execArgv.filter((a) => a.startsWith('--') && !a.startsWith('--inspect')), runtimeFlags].join(' ').trim();
  const flagKey = flags ? `-${fnv1a(flags).toString(16).padStart(8, '0')}` : '';
  const cacheFile = join(tmpdir(), 'skene-code-cache', `${name}-${stamp}${flagKey}-${process.version}-${process.arch}.v8cache`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // No `import()` in such files: a vm.Script has no loader for it on Node 20 (its experimental
  // main-context loader never settles), so the bundle requires what it loads on demand.
  const script = new vm.Script(M.wrap(source), { filename: file, cachedData });
  const compiled = script.runInThisContext() as (this: unknown, ...args: unknown[]) => void;
  const mod = new M(file, null);
  mod.filename = file;
  mod.paths = M._nodeModulePaths(dirname(file));
  M._cache[file] = mod;
  try {
    compiled.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  } catch (error) {
    delete M._cache[file]; // as Node's loader does: a later require loads the file afresh
    throw error;
  }
  mod.loaded = true;
  const hit = cachedData !== undefined && !script.cachedDataRejected;
  let saved = hit;
  return {
    exports: mod.exports as T,
    cache: {
      state: hit ? 'cached' : 'compiled',
      save() {
        if (saved) return;
        saved = true;
        try {
          mkdirSync(dirname(cacheFile), { recursive: true });
          const temporary = `${cacheFile}.${process.pid}.tmp`;
          writeFileSync(temporary, script.createCachedData());
          renameSync(temporary, cacheFile); // atomic: a concurrent start reads the old or the new file, never half of one
        } catch {
          // a read-only temporary folder only costs speed
        }
      },
    },
  };
}

/**
 * A source file as a string. ASCII (TypeScript's compiler, the bundles: see scripts/bundle-cached.mjs)
 * is taken byte for byte, a one-byte string: Node 20 decoded TypeScript's 9 MB as UTF-8 in ~100 ms,
 * the largest single piece of a cold start.
 */
function readSource(file: string): string {
  const bytes = readFileSync(file);
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}

/**
 * FNV-1a, 32 bits: a short file-name key for a set of flags. Not node:crypto's sha256, whose
 * loading (~15 of Node's own modules) was ~4 ms of a `skene check` that needs no cryptography.
 */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
