/**
 * The packages a starter needs in the project: `@skene/sdk` (skene.config.ts imports it; without
 * it the editor shows "Cannot find module '@skene/sdk'") and `skene` (the command the next steps
 * run). `skene init` and the editor's "Create skene.config.ts" add both to package.json's
 * devDependencies, or, with no package.json, say the one command that installs them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackDetection } from '../detect/types.js';
import type { StarterFile } from './types.js';

export type PackageManager = NonNullable<StackDetection['packageManager']>;

/** The versions the starter is written for (`0.1.0`); a package gets `^` its version. */
export interface SkeneVersions {
  skene: string;
  sdk: string;
}

export interface StarterDependencyOptions {
  versions: SkeneVersions;
  /** The project's package manager, from its lock file (detectStack's `packageManager`); null: npm. */
  manager: PackageManager | null;
  /** package.json's text, undefined when there is none (default: read from disk). */
  read?: (path: string) => string | undefined;
}

export interface StarterDependencies {
  /** package.json with the missing packages added to devDependencies; absent: nothing to write. */
  write?: StarterFile;
  /** What `write` adds, in its order. */
  added: { name: string; range: string }[];
  /** The command the user runs next (`npm install`, or the whole `npm i -D skene @skene/sdk`); absent: nothing is missing. */
  install?: string;
  /** Why `install`, for the summary. */
  reason?: string;
}

export const PACKAGE_JSON = 'package.json';
/** Sections in which a package already counts as declared (the project's own entry is kept as it is). */
const SECTIONS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];

const INSTALL: Record<PackageManager, { install: string; addDev: string }> = {
  npm: { install: 'npm install', addDev: 'npm i -D' },
  pnpm: { install: 'pnpm install', addDev: 'pnpm add -D' },
  yarn: { install: 'yarn install', addDev: 'yarn add -D' },
  bun: { install: 'bun install', addDev: 'bun add -d' },
};

/** What to add to the project in `dir` for the starter, and what to run then. */
export function starterDependencies(dir: string, options: StarterDependencyOptions): StarterDependencies {
  const read = options.read ?? ((path: string) => readText(join(dir, path)));
  const commands = INSTALL[options.manager ?? 'npm'];
  const wanted = [
    { name: '@skene/sdk', range: `^${options.versions.sdk}` },
    { name: 'skene', range: `^${options.versions.skene}` },
  ];
  // The command users know (`npm i -D skene @skene/sdk`); package.json gets them in npm's sorted order.
  const addAll = `${commands.addDev} skene @skene/sdk`;
  const text = read(PACKAGE_JSON);
  if (text === undefined) {
    return { added: [], install: addAll, reason: 'no package.json here: this installs skene and @skene/sdk, which skene.config.ts imports' };
  }
  const json = parseObject(text);
  if (!json) return { added: [], install: addAll, reason: 'package.json is not a JSON object, so it was not edited' };
  const declared = new Set(SECTIONS.flatMap((s) => (isObject(json[s]) ? Object.keys(json[s]) : [])));
  const added = wanted.filter((p) => !declared.has(p.name));
  if (!added.length) return { added };
  const content = addDevDependencies(text, added);
  return {
    write: { path: PACKAGE_JSON, content, description: `devDependencies: ${added.map((p) => `${p.name} ${p.range}`).join(', ')}` },
    added,
    install: commands.install,
    reason: `installs ${added.map((p) => p.name).join(' and ')}, which skene.config.ts and the next steps use`,
  };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * package.json's text with `packages` added at the end of devDependencies (made if missing). The
 * rest of the text is left byte for byte (a re-serialised file would reflow the user's arrays and
 * spacing); the result is checked against the parsed edit, and re-serialised only if the text
 * edit went wrong (duplicate keys, an unusual layout).
 */
export function addDevDependencies(text: string, packages: { name: string; range: string }[]): string {
  const json = parseObject(text);
  if (!json) throw new Error('package.json is not a JSON object');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /^([ \t]+)"/m.exec(text)?.[1] ?? '  ';
  const dev = isObject(json.devDependencies) ? json.devDependencies : {};
  const expected = { ...json, devDependencies: { ...dev, ...Object.fromEntries(packages.map((p) => [p.name, p.range])) } };
  const entries = packages.map((p) => `${indent}${indent}${JSON.stringify(p.name)}: ${JSON.stringify(p.range)}`).join(`,${eol}`);
  const spans = scan(text);
  let edited: string | undefined;
  if (spans?.devOpen !== undefined && spans.devClose !== undefined) {
    const last = lastNonSpace(text, spans.devClose);
    edited =
      last === spans.devOpen
        ? `${text.slice(0, spans.devOpen + 1)}${eol}${entries}${eol}${indent}${text.slice(spans.devClose)}`
        : `${text.slice(0, last + 1)},${eol}${entries}${text.slice(last + 1)}`;
  } else if (spans?.rootClose !== undefined) {
    const last = lastNonSpace(text, spans.rootClose);
    const block = `${indent}"devDependencies": {${eol}${entries}${eol}${indent}}`;
    edited =
      text[last] === '{'
        ? `${text.slice(0, last + 1)}${eol}${block}${eol}${text.slice(spans.rootClose)}`
        : `${text.slice(0, last + 1)},${eol}${block}${text.slice(last + 1)}`;
  }
  if (edited !== undefined && JSON.stringify(parseObject(edited)) === JSON.stringify(expected)) return edited;
  const trailing = /\r?\n$/.test(text) ? eol : '';
  return JSON.stringify(expected, null, indent).replace(/\n/g, eol) + trailing;
}

function lastNonSpace(text: string, before: number): number {
  let i = before - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  return i;
}

/** Where the top-level devDependencies object opens and closes, and where the root object closes. */
function scan(text: string): { devOpen?: number; devClose?: number; rootClose?: number } | undefined {
  const out: { devOpen?: number; devClose?: number; rootClose?: number } = {};
  let depth = 0;
  let key: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      // A string at depth 1 followed by `:` is a top-level key.
      if (depth === 1 && /^\s*:/.test(text.slice(end + 1, end + 20))) key = JSON.parse(text.slice(i, end + 1)) as string;
      i = end;
    } else if (c === '{' || c === '[') {
      depth++;
      if (depth === 2 && c === '{' && key === 'devDependencies' && out.devOpen === undefined) out.devOpen = i;
    } else if (c === '}' || c === ']') {
      if (depth === 2 && c === '}' && out.devOpen !== undefined && out.devClose === undefined) out.devClose = i;
      depth--;
      if (depth === 0) {
        out.rootClose = i;
        return out;
      }
    } else if (c === ',' && depth === 1) key = undefined;
  }
  return undefined;
}
