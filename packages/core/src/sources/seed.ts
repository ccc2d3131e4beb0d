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
      files.push({ path, text: await readFile(path, 'utf8') });
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
    for (const name of names) files.push({ path: join(dir, name), text: await readFile(join(dir, name), 'utf8') });
  }
  return files;
}

/** Where a seed statement failed, as `file:line`, from the driver's character position. */
export function seedLocation(file: SeedFile, position: number | undefined): string {
  if (position === undefined || !Number.isFinite(position)) return file.path;
  const line = file.text.slice(0, Math.max(0, position - 1)).split('\n').length;
  return `${file.path}:${line}`;
}
