/**
 * `--seed file|dir`: the files a source runs before planning. SQL sources take `*.sql`, Redis
 * takes command files (`*.redis`, one command per line). A folder contributes its files in name
 * order; when it has a sub-folder named after the source's dialect (`seed/postgres`, `seed/mysql`,
 * `seed/redis`), that sub-folder is used, so one `--seed seed` works for every source.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { SeedFile, SourceKind } from './types.js';

const DIALECT_FOLDERS: Record<SourceKind, string[]> = {
  pglite: ['postgres', 'postgresql', 'pg', 'pglite', 'sql'],
  postgres: ['postgres', 'postgresql', 'pg', 'sql'],
  mysql: ['mysql', 'mariadb', 'tidb', 'sql'],
  redis: ['redis', 'upstash'],
  upstash: ['upstash', 'redis'],
};

function extensionsFor(kind: SourceKind): string[] {
  return kind === 'redis' || kind === 'upstash' ? ['.redis', '.txt'] : ['.sql'];
}

export async function collectSeedFiles(paths: string[], kind: SourceKind, cwd = process.cwd()): Promise<SeedFile[]> {
  const files: SeedFile[] = [];
  const wanted = extensionsFor(kind);
  for (const given of paths) {
    const path = resolve(cwd, given);
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new Error(`seed not found: ${given}`);
    }
    if (info.isFile()) {
      const ext = extname(path).toLowerCase();
      if (ext === '.sql' && !wanted.includes('.sql')) throw new Error(`seed ${given} is SQL, but the data source is Redis: pass a Redis command file (.redis)`);
      if (ext === '.redis' && wanted.includes('.sql')) throw new Error(`seed ${given} is a Redis command file, but the data source is SQL: pass .sql files`);
      files.push({ path, text: await readSeedText(path, given) });
      continue;
    }
    const entries = await readdir(path, { withFileTypes: true });
    const sub = DIALECT_FOLDERS[kind].find((name) => entries.some((e) => e.isDirectory() && e.name === name));
    const dir = sub ? join(path, sub) : path;
    const names = (sub ? await readdir(dir, { withFileTypes: true }) : entries)
      .filter((e) => e.isFile() && wanted.includes(extname(e.name).toLowerCase()))
      .map((e) => e.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (names.length === 0) {
      const folders = entries.filter((e) => e.isDirectory()).map((e) => `${e.name}/`);
      throw new Error(
        `seed folder ${given} has no ${wanted.join(' or ')} files${sub ? ` in ${sub}/` : ''}` +
          (folders.length && !sub ? ` (it has ${folders.join(', ')}; for a ${kind} source, put them in ${DIALECT_FOLDERS[kind][0]}/)` : ''),
      );
    }
    for (const name of names) files.push({ path: join(dir, name), text: await readSeedText(join(dir, name), join(given, sub ?? '', name)) });
  }
  return files;
}

/**
 * A seed file's text. A binary file (a PNG renamed .sql, a dump in UTF-16) is refused here by
 * name: sent as SQL it reached the server as bytes the protocol rejects ("invalid message format").
 */
async function readSeedText(path: string, shown: string): Promise<string> {
  const bytes = await readFile(path);
  if (bytes.includes(0)) throw new Error(`seed ${shown} is not text (it has NUL bytes): pass SQL or Redis command files saved as UTF-8`);
  try {
    // fatal: an invalid byte is an error, not a silent U+FFFD; a leading BOM is dropped.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`seed ${shown} is not text (it is not UTF-8): save it as UTF-8`);
  }
}

/**
 * Where a seed statement failed, as `file:line`, from the driver's position: PostgreSQL counts
 * characters (code points) from 1, so an emoji (two UTF-16 units in a JS string) counts once.
 */
export function seedLocation(file: SeedFile, position: number | undefined): string {
  if (position === undefined || !Number.isFinite(position)) return file.path;
  return `${file.path}:${lineAt(file.text, codePointOffset(file.text, position - 1))}`;
}

/** The UTF-16 offset of the `count`-th code point of `text` (clamped to its length). */
export function codePointOffset(text: string, count: number): number {
  let offset = 0;
  for (let seen = 0; seen < count && offset < text.length; seen++) offset += (text.codePointAt(offset) ?? 0) > 0xffff ? 2 : 1;
  return Math.min(offset, text.length);
}

/** The 1-based line of a UTF-16 offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
