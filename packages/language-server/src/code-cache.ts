/**
 * A faster cold start: TypeScript's 9 MB compiler is loaded from a V8 code cache kept in the
 * temporary folder (like `v8-compile-cache`, which only hooks `require`). The first start compiles
 * it as usual and, once the first config has been parsed (so the parser's functions are compiled
 * too), writes the cache; later starts skip most of the compilation. Any problem falls back to the
 * ordinary `require`: the cache only ever makes the start faster.
 *
 * Must run before `@skene/core` is imported: core loads TypeScript with `require`, which then finds
 * this module in the require cache.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

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
  /** Writes the cache if this start had none (call once the parser has run). */
  save(): void;
  /** How TypeScript was loaded: from the cache, compiled (cache to be written), or by plain require. */
  state: 'cached' | 'compiled' | 'plain';
}

export function preloadTypeScript(fromModuleUrl: () => string): CodeCache {
  const plain: CodeCache = { save() {}, state: 'plain' };
  if (process.env.SKENE_NO_CODE_CACHE === '1') return plain;
  try {
    const M = Module as ModuleInternals;
    const file = createRequire(fromModuleUrl()).resolve('typescript');
    if (M._cache[file]) return plain;
    const source = readFileSync(file, 'utf8');
    const version = /"version":\s*"([^"]+)"/.exec(readFileSync(join(dirname(file), '..', 'package.json'), 'utf8'))?.[1] ?? 'unknown';
    const cacheFile = join(tmpdir(), 'skene-language-server', `typescript-${version}-${process.version}-${process.arch}-${source.length}.v8cache`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(M.wrap(source), { filename: file, cachedData });
    const compiled = script.runInThisContext() as (this: unknown, ...args: unknown[]) => void;
    const mod = new M(file, null);
    mod.filename = file;
    mod.paths = M._nodeModulePaths(dirname(file));
    compiled.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
    mod.loaded = true;
    M._cache[file] = mod;
    const hit = cachedData !== undefined && !script.cachedDataRejected;
    let saved = hit;
    return {
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
    };
  } catch {
    return plain;
  }
}
