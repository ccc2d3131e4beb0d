/**
 * `esbuild` inside the extension's bundle (dist/server.mjs), for the plan worker: core compiles
 * the config (loadConfig) and React Email templates (email/compile.ts) with esbuild's `build()`.
 * esbuild's native binary is per platform and esbuild-wasm would add ~4 MB to the .vsix, so the
 * extension answers those two calls with the TypeScript compiler it already bundles:
 *
 * - ESM (the config): the entry file is transpiled; `alias`ed imports (`@skene/sdk` → dist/sdk.mjs)
 *   become file URLs; other imports stay as written (the output is imported from the config's folder).
 * - CJS (templates): the entry is transpiled with the automatic JSX runtime; what it imports is
 *   required at run time — React, react-dom and @react-email/components resolve to the copies
 *   bundled with the server (runtime-modules.ts: one React instance for the template and the
 *   renderer), and local `.tsx`/`.ts`/`.jsx` modules are transpiled as they load.
 *
 * Only the options those two call sites use are honoured. Errors have esbuild's shape
 * (`{ errors: [{ text, location }] }`) so core reports them with file:line:column.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import Module from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

interface Location {
  file: string;
  line: number;
  column: number;
  lineText: string;
}
export interface Message {
  text: string;
  location: Location | null;
}
export interface OutputFile {
  path: string;
  text: string;
  contents: Uint8Array;
}
export interface Metafile {
  inputs: Record<string, { bytes: number; imports: unknown[] }>;
  outputs: Record<string, { bytes: number }>;
}
export interface BuildResult {
  errors: Message[];
  warnings: Message[];
  outputFiles: OutputFile[];
  metafile: Metafile;
}
export interface BuildOptions {
  entryPoints: string[];
  absWorkingDir?: string;
  outfile?: string;
  format?: 'esm' | 'cjs';
  sourcemap?: boolean | 'inline' | 'external';
  alias?: Record<string, string>;
  jsx?: 'automatic' | 'transform' | 'preserve';
  jsxImportSource?: string;
  [option: string]: unknown;
}
export type Plugin = { name: string; setup: (build: unknown) => void };

class BuildFailure extends Error {
  constructor(readonly errors: Message[]) {
    super(`Build failed with ${errors.length} error${errors.length === 1 ? '' : 's'}:\n${errors.map((e) => e.text).join('\n')}`);
  }
  readonly warnings: Message[] = [];
}

const encoder = new TextEncoder();
const output = (path: string, text: string): OutputFile => ({ path, text, contents: encoder.encode(text) });

function transpile(file: string, source: string, format: 'esm' | 'cjs', sourceMap: 'inline' | 'external' | false, cwd: string): { code: string; map?: string } {
  const jsx = /\.[jt]sx$/.test(file);
  const result = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: format === 'esm' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
      esModuleInterop: true,
      ...(jsx ? { jsx: ts.JsxEmit.ReactJSX, jsxImportSource: 'react' } : {}),
      allowJs: true,
      sourceMap: sourceMap === 'external',
      inlineSourceMap: sourceMap === 'inline',
      inlineSources: sourceMap === 'inline',
      verbatimModuleSyntax: false,
      isolatedModules: true,
    },
  });
  const errors = (result.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) throw new BuildFailure(errors.map((d) => toMessage(d, file, source, cwd)));
  let map = result.sourceMapText;
  if (map) {
    const payload = JSON.parse(map) as { sources: string[]; sourceRoot?: string };
    payload.sources = [relative(cwd, file)];
    delete payload.sourceRoot;
    map = JSON.stringify(payload);
  }
  return { code: result.outputText.replace(/\n\/\/# sourceMappingURL=(?!data:).*$/m, ''), map };
}

function toMessage(d: ts.Diagnostic, file: string, source: string, cwd: string): Message {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (d.start === undefined) return { text, location: null };
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest);
  const { line, character } = sf.getLineAndCharacterOfPosition(d.start);
  return { text, location: { file: relative(cwd, file), line: line + 1, column: character, lineText: source.split('\n')[line] ?? '' } };
}

// ---- run-time loading of compiled templates (CJS) ------------------------------------------------
// React and @react-email/components resolve to the bundled copies (runtime-modules.ts); local
// `.tsx`/`.ts`/`.jsx` modules a template imports are transpiled as they load.
let hooksInstalled = false;

type ModuleInternals = typeof Module & {
  _extensions: Record<string, (module: { _compile(code: string, file: string): void }, file: string) => void>;
};

/** Also what a render thread installs before it loads a template (render-thread.ts): hooks are per thread. */
export function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const M = Module as ModuleInternals;
  for (const ext of ['.tsx', '.ts', '.jsx', '.mts', '.cts']) {
    if (M._extensions[ext]) continue;
    M._extensions[ext] = (module, file) => {
      const source = readFileSync(file, 'utf8');
      const { code } = transpile(file, source, 'cjs', 'inline', dirname(file));
      module._compile(code, file);
    };
  }
}

// ---- build() -----------------------------------------------------------------------------------

export async function build(options: BuildOptions): Promise<BuildResult> {
  const cwd = options.absWorkingDir ?? process.cwd();
  const entry = resolve(cwd, options.entryPoints[0] ?? '');
  if (!existsSync(entry) || !statSync(entry).isFile()) throw new BuildFailure([{ text: `Could not resolve "${options.entryPoints[0]}"`, location: null }]);
  const format = options.format === 'esm' ? 'esm' : 'cjs';
  const source = readFileSync(entry, 'utf8');
  const sourcemap = options.sourcemap === 'inline' ? 'inline' : options.sourcemap ? 'external' : false;
  const transpiled = transpile(entry, source, format, sourcemap, cwd);
  let code = transpiled.code;
  const map = transpiled.map;
  if (format === 'esm') {
    // Aliased packages (the sdk Skene ships) become file URLs: the output runs from the config's folder.
    for (const [name, target] of Object.entries(options.alias ?? {})) {
      const spec = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      code = code.replace(
        new RegExp(`(\\bfrom\\s*|\\bimport\\s*\\(?\\s*)(["'])${spec}\\2`, 'g'),
        (_m, lead: string, q: string) => `${lead}${q}${pathToFileURL(target).href}${q}`,
      );
    }
  } else {
    installHooks();
  }
  const outfile = options.outfile ?? resolve(cwd, format === 'esm' ? 'out.mjs' : 'out.cjs');
  const outputFiles = [output(outfile, code)];
  if (map) outputFiles.push(output(`${outfile}.map`, map));
  return {
    errors: [],
    warnings: [],
    outputFiles,
    metafile: { inputs: { [relative(cwd, entry)]: { bytes: source.length, imports: [] } }, outputs: { [relative(cwd, outfile)]: { bytes: code.length } } },
  };
}
