/**
 * Compiles a React Email template (`.tsx` / `.jsx`) with esbuild and loads it, once per file
 * version. The bundle includes the template's own imports (`@react-email/components`, local
 * components) but not React: `react` and `react-dom` are external and resolved from
 * @skene/core, so the component and `@react-email/render` share one React instance.
 *
 * The cache key is the template's path; an entry is reused while the modification time and
 * size of every local file in the bundle are unchanged. Failures are cached too, so a plan
 * with 10,000 emails reports one broken template once instead of compiling it 10,000 times.
 */
import { readFile, stat } from 'node:fs/promises';
import { createRequire, SourceMap } from 'node:module';
import { dirname, join, resolve, relative, sep } from 'node:path';
import vm from 'node:vm';
import type * as esbuild from 'esbuild';
import { EmailTemplateError } from './errors.js';
import { componentsBarrel } from './components-barrel.js';
import { readReactTemplate, type ReactCompileAnalysis, type SlotInfo } from './react-compile.js';

export interface CompiledTemplate {
  file: string;
  /** The module's exports (`default`, `subject`, …). */
  exports: Record<string, unknown>;
  /** Maps a position in the bundle back to the template's sources (for errors the component throws). */
  sourceMap?: SourceMap;
  /** The vm filename the bundle runs under; stack frames with it are bundle positions. */
  bundleFilename: string;
  /** Absolute paths of the local (non-node_modules) files compiled into the bundle. */
  inputs: string[];
  /** The bundle esbuild made, and its source map: what another thread loads instead of compiling again. */
  bundle: TemplateBundle;
  /** Whether the template compiles to a fill (react-compile.ts), and its slots; absent when not asked. */
  analysis?: ReactCompileAnalysis;
}

/** A compiled template as text: a CommonJS bundle and its source map (sources absolute). */
export interface TemplateBundle {
  code: string;
  map?: string;
  /** When the template compiles to a fill (react-compile.ts): its slots, and the bundle has the fill's exports. */
  slots?: SlotInfo[];
}

/** A template compiled but not run: what a render thread loads. */
export interface TemplateBuild {
  file: string;
  bundle: TemplateBundle;
  /** Absolute paths of the local (non-node_modules) files compiled into the bundle. */
  inputs: string[];
  /** Whether the template compiles to a fill (react-compile.ts): then the bundle has its two extra exports. */
  analysis: ReactCompileAnalysis;
}

interface CacheEntry {
  stamps: Map<string, string>;
  promise: Promise<TemplateBuild>;
}

/** Bundles already run in this thread (a load error is kept too: the same bundle fails the same way). */
const loaded = new WeakMap<TemplateBundle, Promise<CompiledTemplate>>();

const cache = new Map<string, CacheEntry>();
let compiles = 0;

/** How many times a template has been compiled in this process (cache misses). */
export function templateCompileCount(): number {
  return compiles;
}

/** Forgets every compiled template (the next render of each compiles again). */
export function clearTemplateCache(): void {
  cache.clear();
}

const coreRequire = createRequire(import.meta.url);
const SHARED = /^(react|react-dom)(\/.*)?$/;
/** Where @skene/core finds its packages: a fallback for templates whose project lacks `@react-email/components`. */
const CORE_NODE_PATHS = coreRequire.resolve.paths('@react-email/components') ?? [];

async function stampOf(path: string): Promise<string> {
  try {
    const s = await stat(path);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return 'missing';
  }
}

async function isFresh(entry: CacheEntry): Promise<boolean> {
  for (const [path, stamp] of entry.stamps) {
    if ((await stampOf(path)) !== stamp) return false;
  }
  return true;
}

/**
 * The template for `file` (absolute) compiled, not run: nothing of the template's own code runs
 * here, so a module that loops at load time cannot hold this thread. From the cache when nothing
 * it is built from changed.
 */
export async function compileTemplate(file: string, template: string): Promise<TemplateBuild> {
  const existing = cache.get(file);
  if (existing && (await isFresh(existing))) return existing.promise;
  const stamps = new Map<string, string>([[file, await stampOf(file)]]);
  const entry: CacheEntry = { stamps, promise: compile(file, template, stamps) };
  cache.set(file, entry);
  // Keep failures cached (same stamps → same error), but never leave an unhandled rejection behind.
  entry.promise.catch(() => {});
  return entry.promise;
}

/** The compiled template for `file` (absolute), run in this thread: its exports. */
export async function loadTemplate(file: string, template: string): Promise<CompiledTemplate> {
  const build = await compileTemplate(file, template);
  let promise = loaded.get(build.bundle);
  if (!promise) {
    promise = (async () => ({ ...loadBundle(file, template, build.bundle, build.inputs), analysis: build.analysis }))();
    promise.catch(() => {});
    loaded.set(build.bundle, promise);
  }
  return promise;
}

async function compile(file: string, template: string, stamps: Map<string, string>): Promise<TemplateBuild> {
  compiles++;
  const dir = dirname(file);
  // The template's own source, with the fill's two exports when it compiles to one (react-compile.ts).
  let analysis: ReactCompileAnalysis;
  let components: string[] | undefined;
  try {
    ({ analysis, components } = readReactTemplate(await readFile(file, 'utf8'), file));
  } catch (error) {
    analysis = { ok: false, reason: `the template could not be analysed: ${messageOf(error)}` };
  }
  let result: BuildOutput;
  try {
    result = await build({ file, entry: analysis.ok ? analysis.source : undefined, components });
  } catch (error) {
    if (!analysis.ok) throw compileError(error, file, template, dir);
    // The extra exports must never break a template that compiles as written: compile it as written.
    analysis = { ok: false, reason: `the fill's exports did not compile: ${messageOf(error)}` };
    try {
      result = await build({ file, entry: undefined, components });
    } catch (again) {
      throw compileError(again, file, template, dir);
    }
  }

  const inputs = Object.keys(result.metafile.inputs)
    .map((p) => resolve(dir, p))
    .filter((p) => !p.split(sep).includes('node_modules'));
  for (const input of inputs) if (!stamps.has(input)) stamps.set(input, await stampOf(input));

  const code = result.outputFiles.find((f) => f.path.endsWith('.cjs'))?.text ?? '';
  let map = result.outputFiles.find((f) => f.path.endsWith('.map'))?.text;
  if (map) {
    try {
      const payload = JSON.parse(map) as { sources: string[] };
      payload.sources = payload.sources.map((s) => resolve(dir, s));
      map = JSON.stringify(payload);
    } catch {
      map = undefined;
    }
  }
  return { file, bundle: analysis.ok ? { code, map, slots: analysis.slots } : { code, map }, inputs, analysis };
}

export type BuildOutput = esbuild.BuildResult & { metafile: esbuild.Metafile; outputFiles: esbuild.OutputFile[] };

/**
 * The template bundled (its source replaced by `entry` when given), with only the React Email
 * packages it names when it names them (components-barrel.ts), else as written. esbuild is loaded
 * here, not with this module: render threads load bundles this thread compiled, and never compile.
 */
export async function build(options: { file: string; entry: string | undefined; components: string[] | undefined }): Promise<BuildOutput> {
  const { file, entry, components } = options;
  if (components) {
    try {
      return await bundle(file, [...(entry === undefined ? [] : [withSource(file, entry)]), componentsBarrel(file, components)]);
    } catch {
      // A name its supposed package does not export, say: the barrel as written decides.
    }
  }
  return bundle(file, entry === undefined ? [] : [withSource(file, entry)]);
}

async function bundle(file: string, plugins: esbuild.Plugin[]): Promise<BuildOutput> {
  const dir = dirname(file);
  const esbuild = await import('esbuild');
  return esbuild.build({
    entryPoints: [file],
    absWorkingDir: dir,
    outfile: join(dir, '__skene_email_bundle.cjs'),
    bundle: true,
    write: false,
    metafile: true,
    sourcemap: 'external',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // Explicit options win over the project's tsconfig (Next.js projects say `"jsx": "preserve"`).
    jsx: 'automatic',
    jsxImportSource: 'react',
    nodePaths: CORE_NODE_PATHS,
    external: ['react', 'react/*', 'react-dom', 'react-dom/*'],
    loader: { '.png': 'dataurl', '.jpg': 'dataurl', '.jpeg': 'dataurl', '.gif': 'dataurl', '.svg': 'dataurl', '.css': 'text' },
    logLevel: 'silent',
    plugins,
  });
}

/** Gives esbuild `contents` for the entry file instead of reading it. */
function withSource(file: string, contents: string): esbuild.Plugin {
  return {
    name: 'skene-react-fill',
    setup(build) {
      const filter = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
      build.onLoad({ filter }, () => ({ contents, loader: file.endsWith('.jsx') ? 'jsx' : 'tsx', resolveDir: dirname(file) }));
    },
  };
}

/**
 * Runs a compiled template's bundle and returns its exports, without esbuild: the render threads
 * load what the plan's thread compiled (the same code, and no compiler process of their own).
 */
export function loadBundle(file: string, template: string, bundle: TemplateBundle, inputs: string[] = [file]): CompiledTemplate {
  let sourceMap: SourceMap | undefined;
  if (bundle.map) {
    try {
      sourceMap = new SourceMap(JSON.parse(bundle.map) as never);
    } catch {
      sourceMap = undefined;
    }
  }
  const dir = dirname(file);
  const bundleFilename = `skene-email:${file}`;
  const templateRequire = createRequire(file);
  const require = (id: string): unknown => (SHARED.test(id) ? coreRequire(id) : templateRequire(id));
  const module = { exports: {} as Record<string, unknown> };
  try {
    const wrapper = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname) {${bundle.code}\n})`, {
      filename: bundleFilename,
    }) as (e: unknown, r: unknown, m: unknown, f: string, d: string) => void;
    wrapper(module.exports, require, module, file, dir);
  } catch (error) {
    const where = sourceMap ? originalPosition(error, bundleFilename, sourceMap) : undefined;
    throw new EmailTemplateError(
      `email template "${template}": loading ${where ? `${where.file}:${where.line}:${where.column}` : file} failed: ${messageOf(error)}`,
      { code: 'load-error', template, file: where?.file ?? file, line: where?.line, column: where?.column, cause: error },
    );
  }
  const exports = typeof module.exports === 'function' ? { default: module.exports as unknown } : (module.exports as Record<string, unknown>);
  return { file, exports, sourceMap, bundleFilename, inputs, bundle };
}

function compileError(error: unknown, file: string, template: string, dir: string): EmailTemplateError {
  const errors = (error as { errors?: esbuild.Message[] }).errors;
  const first = errors?.[0];
  if (!first)
    return new EmailTemplateError(`email template "${template}": compiling ${file} failed: ${messageOf(error)}`, {
      code: 'compile-error',
      template,
      file,
      cause: error,
    });
  const loc = first.location;
  const at = loc ? resolve(dir, loc.file) : file;
  const line = loc?.line;
  const column = loc ? loc.column + 1 : undefined; // esbuild columns are 0-based
  let text = first.text;
  const unresolved = /^Could not resolve "([^"]+)"/.exec(text);
  if (unresolved && !unresolved[1]!.startsWith('.')) text += ` (is the package installed? npm install ${packageName(unresolved[1]!)})`;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  const snippet = loc?.lineText ? `\n    ${loc.lineText}\n    ${' '.repeat(loc.column)}^` : '';
  return new EmailTemplateError(
    `email template "${template}" does not compile: ${at}${line !== undefined ? `:${line}:${column}` : ''}: ${text}${more}${snippet}`,
    { code: 'compile-error', template, file: at, line, column, cause: error },
  );
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The first stack frame of `error` inside the bundle, mapped back to a local source file (1-based). */
export function originalPosition(error: unknown, bundleFilename: string, sourceMap: SourceMap): { file: string; line: number; column: number } | undefined {
  const stack = error instanceof Error ? error.stack : undefined;
  if (!stack) return undefined;
  const prefix = bundleFilename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const frame = new RegExp(`${prefix}:(\\d+):(\\d+)`, 'g');
  for (const m of stack.matchAll(frame)) {
    const entry = sourceMap.findEntry(Number(m[1]) - 1, Number(m[2]) - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (!entry.originalSource || entry.originalLine === undefined) continue;
    if (entry.originalSource.split(sep).includes('node_modules')) continue;
    return { file: entry.originalSource, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
  }
  return undefined;
}

/** For messages: `emails/welcome.tsx` rather than an absolute path when it is under `base`. */
export function displayPath(file: string, base: string): string {
  const rel = relative(base, file);
  return rel && !rel.startsWith('..') ? rel : file;
}
