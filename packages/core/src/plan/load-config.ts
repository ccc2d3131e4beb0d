/**
 * Loads `skene.config.ts` for a plan by compiling it (esbuild, one bundle in memory) and running
 * the bundle in a worker thread (config-worker.ts) with a deadline. Unlike the editor, which
 * never runs the config, a plan must: it evaluates the loops. Any way the config's code ends
 * other than by exporting loops (an exit, a throw, a rejection, a hang) is a ConfigError naming
 * the file, and the line where the stack gives one: never a plan that passes, never a hang. `@skene/sdk` is resolved to the sdk Skene itself ships, so a config
 * plans even where the project has not installed it yet. The export is validated by the sdk's
 * `normalizeConfig` (the one zod schema).
 */
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { normalizeConfig } from '@skene/sdk';
import { startWorkerThread } from '../worker-thread.js';
import type { ConfigVerdict, ConfigWorkerData, ConfigWorkerMessage, ThrownValue } from './config-worker.js';

export type NormalizedConfig = ReturnType<typeof normalizeConfig>;

export interface LoadedConfig extends NormalizedConfig {
  /** Absolute path of the config file. */
  file: string;
  /** The folder beside the config (`emails/` lives here). */
  dir: string;
}

export const DEFAULT_CONFIG_NAMES = ['skene.config.ts', 'skene.config.mts', 'skene.config.js', 'skene.config.mjs'];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Finds the config: the given path, else `skene.config.{ts,mts,js,mjs}` in `cwd`. */
export async function findConfig(given: string | undefined, cwd: string): Promise<string> {
  if (given) {
    const file = resolve(cwd, given);
    const info = await stat(file).catch(() => undefined);
    if (!info) throw new ConfigError(`config not found: ${given}`);
    if (info.isDirectory()) return findConfig(undefined, file);
    return file;
  }
  for (const name of DEFAULT_CONFIG_NAMES) {
    const file = join(cwd, name);
    if (
      await stat(file).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return file;
  }
  throw new ConfigError(`no skene.config.ts in ${cwd}: pass --config <file> (or run \`skene init\`)`);
}

/** How long a config may take to load (its thread started, compiled code run, loops read). */
export const CONFIG_TIMEOUT_MS = 10_000;
/** How long its thread may take to start (not counted in the config's deadline). */
const START_TIMEOUT_MS = 30_000;

export interface LoadConfigOptions {
  /** The loading deadline (default 10 s): a config still running after it fails the plan. */
  timeoutMs?: number;
}

export async function loadConfig(file: string, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const shown = relative(process.cwd(), file) || file;
  const { code, map } = await compile(file, shown);
  // Externals (packages the config imports) resolve from the config's project: the bundle is
  // imported from the nearest node_modules/.cache/skene above the config (resolution from there
  // walks up to that node_modules), else as a hidden file beside the config. Its first statement
  // removes it (a plan killed while the config runs leaves nothing), and so does this function.
  // A read-only tree falls back to the temp folder with bare imports rewritten to absolute URLs.
  const name = `config-${process.pid}-${Math.random().toString(36).slice(2)}.mjs`;
  const modules = nearestNodeModules(dirname(file));
  let out = modules ? join(modules, '.cache', 'skene', name) : join(dirname(file), `.skene-${name}`);
  let tempDir: string | undefined;
  try {
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, code);
  } catch {
    await rm(out, { force: true }).catch(() => {});
    tempDir = await mkdtemp(join(tmpdir(), 'skene-config-'));
    out = join(tempDir, 'skene.config.mjs');
    await writeFile(out, await resolveBareImports(code, file));
  }
  let outcome: ConfigVerdict;
  try {
    outcome = await runInWorker(out, options.timeoutMs ?? CONFIG_TIMEOUT_MS, shown);
  } finally {
    await rm(out, { force: true });
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
  if (outcome.ok) return { ...outcome.config, file, dir: dirname(file) };
  throw new ConfigError(failureMessage(outcome, { shown, out, map, dir: dirname(file) }));
}

/** The config as one ESM bundle (`@skene/sdk` and local files in it, packages external) and its source map. */
async function compile(file: string, shown: string): Promise<{ code: string; map: string | undefined }> {
  const sdkEntry = fileURLToPath(import.meta.resolve('@skene/sdk'));
  const sdkRoot = dirname(dirname(sdkEntry));
  try {
    const result = await build({
      entryPoints: [file],
      absWorkingDir: dirname(file),
      outfile: join(dirname(file), 'skene-config.mjs'),
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      sourcemap: 'external',
      // The bundle's first statement removes its own file (see loadConfig).
      banner: { js: 'import { rmSync as __skeneRmSync } from "node:fs"; try { __skeneRmSync(new URL(import.meta.url)); } catch {}' },
      alias: { '@skene/sdk': sdkEntry },
      // A config may import its own helpers; packages other than the sdk stay external.
      plugins: [
        {
          name: 'skene-externals',
          setup(b) {
            // The sdk and what it imports (zod) are bundled; the config's other packages are not.
            b.onResolve({ filter: /^[^./]/ }, (args) =>
              args.path === '@skene/sdk' || args.importer.startsWith(sdkRoot) ? undefined : { path: args.path, external: true },
            );
          },
        },
      ],
    });
    const code = result.outputFiles.find((f) => f.path.endsWith('.mjs'))!.text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
    return { code, map: result.outputFiles.find((f) => f.path.endsWith('.map'))?.text };
  } catch (error) {
    const first = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] }).errors?.[0];
    if (first) {
      const where = first.location
        ? `${relative(process.cwd(), resolve(dirname(file), first.location.file)) || first.location.file}:${first.location.line}:${first.location.column + 1}: `
        : '';
      throw new ConfigError(`cannot compile ${shown}: ${where}${first.text}`);
    }
    throw new ConfigError(`cannot compile ${shown}: ${(error as Error).message}`);
  }
}

/**
 * Imports the bundle in a worker thread and waits for its verdict, at most `timeoutMs`. A thread
 * that ends without one (an exit the worker could not see, a top-level await nothing resolves)
 * is a failure too. The thread is stopped as soon as it has answered.
 */
function runInWorker(bundle: string, timeoutMs: number, shown: string): Promise<ConfigVerdict> {
  return new Promise((settle, fail) => {
    let worker: Worker;
    try {
      worker = startWorkerThread(import.meta.url, 'config-worker', {
        workerData: { skeneConfigWorker: true, bundle } satisfies ConfigWorkerData,
        loadError: 'message',
      });
    } catch (error) {
      fail(new ConfigError(`${shown}: cannot start the thread that loads the config: ${(error as Error).message}`));
      return;
    }
    let started = false;
    // The deadline counts the config's own time, from when its thread is up (starting one is ours).
    let timer = setTimeout(
      () => finish(() => fail(new ConfigError(`${shown}: the thread that loads the config did not start within ${seconds(START_TIMEOUT_MS)}`))),
      START_TIMEOUT_MS,
    );
    const overrun = () =>
      finish(() =>
        fail(
          new ConfigError(
            `${shown}: the config did not finish loading within ${seconds(timeoutMs)}: does it loop forever, or wait on something that never settles?`,
          ),
        ),
      );
    const finish = (then: () => void) => {
      clearTimeout(timer);
      worker.removeAllListeners();
      worker.on('error', () => {}); // a config's late failure, after its verdict, is not ours to print
      void worker.terminate().then(then, then);
    };
    worker.on('message', (message: ConfigWorkerMessage) => {
      if ('started' in message) {
        started = true;
        clearTimeout(timer);
        timer = setTimeout(overrun, timeoutMs);
      } else finish(() => settle(message));
    });
    worker.on('error', (error) => finish(() => fail(new ConfigError(`${shown}: ${error.message.split('\n')[0]}`))));
    worker.on('exit', (code) =>
      finish(() =>
        fail(
          new ConfigError(
            started
              ? `${shown}: the config stopped before it finished loading: a top-level await that never settles?${code ? ` (exit code ${code})` : ''}`
              : `${shown}: the thread that loads the config could not start (exit code ${code})`,
          ),
        ),
      ),
    );
  });
}

interface FailureContext {
  shown: string;
  /** The bundle's path: frames in it map back to the config's sources through `map`. */
  out: string;
  map: string | undefined;
  dir: string;
}

function failureMessage(failure: Exclude<ConfigVerdict, { ok: true }>, ctx: FailureContext): string {
  const at = (stack: string | undefined) => configPosition(stack, ctx) ?? ctx.shown;
  switch (failure.reason) {
    case 'no-default-export':
      return `${ctx.shown} has no default export: \`export default defineLoop({ … })\``;
    case 'invalid':
      return `${at(failure.error.stack)} is not a valid Skene config: ${zodSummary(failure.error)}`;
    case 'exit':
      return `${at(failure.stack)}: the config called process.exit(${failure.code}) while loading — a config only declares loops: remove the call`;
    case 'threw':
      return `${at(failure.error.stack)}: ${firstLine(failure.error.message)}`;
    case 'uncaught':
      return `${at(failure.error.stack)}: the config threw from a callback while loading (a timer or event): ${firstLine(failure.error.message)}`;
    case 'rejection':
      return `${at(failure.error.stack)}: a promise the config created was rejected and never handled: ${firstLine(failure.error.message)}`;
  }
}

/** `skene.config.ts:3:1`: the first frame of `stack` in the config's own files (not the sdk, not packages). */
function configPosition(stack: string | undefined, ctx: FailureContext): string | undefined {
  if (!stack || !ctx.map) return undefined;
  let sourceMap: SourceMap;
  try {
    sourceMap = new SourceMap(JSON.parse(ctx.map) as never);
  } catch {
    return undefined;
  }
  const sdk = sdkRoot();
  const url = pathToFileURL(ctx.out).href.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const m of stack.matchAll(new RegExp(`${url}:(\\d+):(\\d+)`, 'g'))) {
    const entry = sourceMap.findEntry(Number(m[1]) - 1, Number(m[2]) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (!entry.originalSource || entry.originalLine === undefined) continue;
    const source = resolve(ctx.dir, entry.originalSource.replace(/^file:\/\//, ''));
    if (source.split(sep).includes('node_modules') || source.startsWith(sdk)) continue;
    return `${relative(process.cwd(), source) || source}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  }
  return undefined;
}

/** The sdk's folder: frames in it are the sdk's, not the config's. */
function sdkRoot(): string {
  return dirname(dirname(fileURLToPath(import.meta.resolve('@skene/sdk'))));
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

function nearestNodeModules(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) return join(d, 'node_modules');
    if (dirname(d) === d) return undefined;
  }
}

/** Rewrites `from "pkg"` of externals to file URLs resolved from the config's folder. */
async function resolveBareImports(code: string, file: string): Promise<string> {
  const { createRequire } = await import('node:module');
  const require = createRequire(file);
  return code.replace(/(\bfrom\s*|\bimport\s*\(?\s*)(["'])([^"'./][^"']*)\2/g, (whole, lead: string, quote: string, spec: string) => {
    if (spec.startsWith('node:')) return whole;
    try {
      return `${lead}${quote}${pathToFileURL(require.resolve(spec)).href}${quote}`;
    } catch {
      return whole;
    }
  });
}

function zodSummary(error: ThrownValue): string {
  const issues = error.issues;
  if (!issues?.length) return firstLine(error.message);
  const shown = issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  return shown.join('; ') + (issues.length > 3 ? ` (and ${issues.length - 3} more; run \`skene check\`)` : '');
}
