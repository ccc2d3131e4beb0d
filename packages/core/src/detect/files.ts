/**
 * The only part of detection that touches the file system. Everything else works on a
 * `ProjectFileSource` (a list of relative paths and a `read`), so tests can pass a folder or a map.
 *
 * Secret files (`.env`, `.env.local`, keys, `.npmrc`, …) are never read: `read` refuses them
 * whatever the caller asks, and the walk does not even list them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { toPosix } from '../text.js';

export interface ProjectFileSource {
  /** The folder, for messages. */
  root: string;
  /** Relative paths with `/` separators, sorted. Secret files are not listed. */
  paths: string[];
  /** The file's text, or undefined when it is missing, too large, binary or secret. */
  read(path: string): string | undefined;
}

/** Example env files hold names and placeholders, not secrets: these are the only env files read. */
const ENV_EXAMPLES = /^\.env(\.[\w-]+)*\.(example|sample|template|dist)$|^\.env\.(example|sample|template|dist)(\.[\w-]+)*$/i;

/** True for files that may hold credentials: never read, never listed. */
export function isSecretFile(path: string): boolean {
  const name = basename(path).toLowerCase();
  if (name.startsWith('.env') || name.endsWith('.env')) return !ENV_EXAMPLES.test(name);
  if (/\.(pem|key|p12|pfx|keystore|jks|crt)$/.test(name)) return true;
  if (/^id_(rsa|dsa|ecdsa|ed25519)/.test(name)) return true;
  return [
    '.npmrc',
    '.yarnrc',
    '.yarnrc.yml',
    '.netrc',
    '.pgpass',
    '.my.cnf',
    'credentials.json',
    'secrets.json',
    'secrets.yaml',
    'secrets.yml',
    '.dev.vars',
  ].includes(name);
}

const SKIPPED_DIRS = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  'dist',
  'build',
  'out',
  '.next',
  '.nuxt',
  '.output',
  '.svelte-kit',
  '.turbo',
  '.vercel',
  '.netlify',
  '.cache',
  'coverage',
  'vendor',
  'target',
  '.idea',
  '.vscode',
  'tmp',
  '.expo',
  // Not the project's own stack: test fixtures and example projects.
  'fixtures',
  '__fixtures__',
  '__mocks__',
  'examples',
]);

const MAX_DEPTH = 8;
const MAX_FILES = 20_000;
const MAX_BYTES = 8 * 1024 * 1024;

/** Lists a folder (skipping dependencies, build output and secret files) and reads files on demand. */
export function readProjectFolder(root: string): ProjectFileSource {
  const paths: string[] = [];
  const walk = (dir: string, rel: string, depth: number) => {
    if (depth > MAX_DEPTH || paths.length >= MAX_FILES) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(join(dir, entry.name), childRel, depth + 1);
      } else if (entry.isFile() && !isSecretFile(entry.name)) {
        paths.push(childRel);
        if (paths.length >= MAX_FILES) return;
      }
    }
  };
  walk(root, '', 0);
  paths.sort();
  const cache = new Map<string, string | undefined>();
  return {
    root,
    paths,
    read(path) {
      if (isSecretFile(path) || path.split('/').includes('..')) return undefined;
      if (cache.has(path)) return cache.get(path);
      let text: string | undefined;
      try {
        const abs = join(root, ...path.split('/'));
        if (statSync(abs).size <= MAX_BYTES) {
          const buffer = readFileSync(abs);
          text = buffer.subarray(0, 8000).includes(0) ? undefined : buffer.toString('utf8');
        }
      } catch {
        text = undefined;
      }
      cache.set(path, text);
      return text;
    },
  };
}

/** An in-memory project: `{ 'package.json': '{…}' }`. Secret files in the map are ignored like on disk. */
export function memoryProjectFolder(files: Record<string, string>, root = '<memory>'): ProjectFileSource {
  const visible = Object.keys(files)
    .map(toPosix)
    .filter((p) => !isSecretFile(p) && !p.split('/').some((part) => SKIPPED_DIRS.has(part)))
    .sort();
  return { root, paths: visible, read: (path) => (isSecretFile(path) ? undefined : files[path]) };
}
