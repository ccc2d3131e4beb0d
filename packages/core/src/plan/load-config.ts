/**
 * Loads `skene.config.ts` for a plan by compiling it (esbuild, one bundle in memory, written to
 * the OS temp folder and imported). Unlike the editor, which never runs the config, a plan must:
 * it evaluates the loops. `@skene/sdk` is resolved to the sdk Skene itself ships, so a config
 * plans even where the project has not installed it yet. The export is validated by the sdk's
 * `normalizeConfig` (the one zod schema).
 */
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { normalizeConfig } from '@skene/sdk';

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
    if (await stat(file).then((s) => s.isFile(), () => false)) return file;
  }
  throw new ConfigError(`no skene.config.ts in ${cwd}: pass --config <file> (or run \`skene init\`)`);
}

export async function loadConfig(file: string): Promise<LoadedConfig> {
  const sdkEntry = fileURLToPath(import.meta.resolve('@skene/sdk'));
  const sdkRoot = dirname(dirname(sdkEntry));
  let code: string;
  try {
    const result = await build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      sourcemap: 'inline',
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
    code = result.outputFiles[0]!.text;
  } catch (error) {
    const first = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] }).errors?.[0];
    if (first) {
      const where = first.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: ` : '';
      throw new ConfigError(`cannot compile ${relative(process.cwd(), file) || file}: ${where}${first.text}`);
    }
    throw new ConfigError(`cannot compile ${file}: ${(error as Error).message}`);
  }
  // Externals (packages the config imports) resolve from the config's project: the bundle is
  // imported from the nearest node_modules/.cache/skene above the config (resolution from there
  // walks up to that node_modules), else as a hidden file beside the config; removed at once. A
  // read-only tree falls back to the temp folder with bare imports rewritten to absolute URLs.
  const name = `config-${process.pid}-${Math.random().toString(36).slice(2)}.mjs`;
  const modules = nearestNodeModules(dirname(file));
  let out = modules ? join(modules, '.cache', 'skene', name) : join(dirname(file), `.skene-${name}`);
  let tempDir: string | undefined;
  try {
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, code);
  } catch {
    tempDir = await mkdtemp(join(tmpdir(), 'skene-config-'));
    out = join(tempDir, 'skene.config.mjs');
    await writeFile(out, await resolveBareImports(code, file));
  }
  let exported: unknown;
  try {
    const module = (await import(pathToFileURL(out).href)) as { default?: unknown };
    exported = module.default;
  } catch (error) {
    throw new ConfigError(`${relative(process.cwd(), file) || file}: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    await rm(out, { force: true });
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
  if (exported === undefined) throw new ConfigError(`${file} has no default export: \`export default defineLoop({ … })\``);
  let config: NormalizedConfig;
  try {
    config = normalizeConfig(exported);
  } catch (error) {
    throw new ConfigError(`${relative(process.cwd(), file) || file} is not a valid Skene config: ${zodSummary(error)}`);
  }
  return { ...config, file, dir: dirname(file) };
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

function zodSummary(error: unknown): string {
  const issues = (error as { issues?: { path: (string | number)[]; message: string }[] }).issues;
  if (!issues?.length) return (error as Error).message;
  const shown = issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  return shown.join('; ') + (issues.length > 3 ? ` (and ${issues.length - 3} more; run \`skene check\`)` : '');
}
