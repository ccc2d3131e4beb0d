/**
 * Config files that name the ORM and the database: Prisma schemas, Drizzle, Knex and TypeORM
 * configs, Supabase's and Hasura's CLI projects, docker-compose images. One reader per kind of
 * file, tried in order: the first whose `match` takes a file reads it.
 */
import type { ProjectFileSource } from './files.js';
import { base, type Findings } from './findings.js';
import { blankComments, findLine, lineAt } from './text.js';

interface ConfigFile {
  /** Relative to the project, `/`-separated. */
  path: string;
  /** The last part of `path`. */
  name: string;
  text: string;
  /** The whole project (a reader may look at the files beside this one). */
  files: ProjectFileSource;
}

interface ConfigReader {
  match: (path: string, name: string) => boolean;
  read: (file: ConfigFile, out: Findings) => void;
}

const PRISMA_PROVIDERS: Record<string, string> = {
  postgresql: 'PostgreSQL',
  postgres: 'PostgreSQL',
  cockroachdb: 'PostgreSQL',
  mysql: 'MySQL',
  sqlite: 'SQLite',
  sqlserver: 'SQL Server',
  mongodb: 'MongoDB',
};

/** The database a Docker image runs, by image name. */
function imageDatabase(image: string): string | undefined {
  if (image.includes('hasura/graphql-engine')) return 'Hasura';
  if (/(^|\/)(postgres|postgis\/postgis|pgvector\/pgvector)$/.test(image)) return 'PostgreSQL';
  if (/(^|\/)(mysql|mariadb)$/.test(image)) return 'MySQL';
  if (image.includes('pingcap/tidb')) return 'TiDB';
  if (/(^|\/)redis(-stack)?$/.test(image)) return 'Redis';
  return undefined;
}

const READERS: ConfigReader[] = [
  {
    match: (_path, name) => name.endsWith('.prisma'),
    read: ({ path, text }, out) => {
      const ds = /datasource\s+\w+\s*\{[^}]*?provider\s*=\s*"(\w+)"/.exec(blankComments(text, 'js'));
      if (!ds) return;
      const at = ds.index + ds[0].lastIndexOf('provider');
      const db = PRISMA_PROVIDERS[ds[1]];
      out.add('orm', 'Prisma', { file: path, line: lineAt(text, ds.index), detail: 'Prisma schema' });
      if (db) out.add('database', db, { file: path, line: lineAt(text, at), detail: `datasource provider "${ds[1]}"` });
    },
  },
  {
    match: (_path, name) => /^drizzle\.config\.(ts|js|mjs|cjs|json)$/.test(name),
    read: ({ path, text }, out) => {
      const m = /(dialect|driver)\s*:\s*['"](\w+)['"]/.exec(blankComments(text, 'js'));
      out.add('orm', 'Drizzle', { file: path, line: 1, detail: 'Drizzle config' });
      if (!m) return;
      const db = /^(postgresql|pg|postgres)$/.test(m[2])
        ? 'PostgreSQL'
        : /^mysql2?$/.test(m[2])
          ? 'MySQL'
          : /^(sqlite|turso|better-sqlite)$/.test(m[2])
            ? 'SQLite'
            : undefined;
      if (db) out.add('database', db, { file: path, line: lineAt(text, m.index), detail: `${m[1]} "${m[2]}"` });
    },
  },
  {
    match: (_path, name) => /^knexfile\.(ts|js|mjs|cjs)$/.test(name),
    read: ({ path, text }, out) => {
      const m = /client\s*:\s*['"](\w+)['"]/.exec(blankComments(text, 'js'));
      out.add('orm', 'Knex', { file: path, line: 1, detail: 'knexfile' });
      if (!m) return;
      const db = /^(pg|postgres|postgresql)$/.test(m[1]) ? 'PostgreSQL' : /^mysql2?$/.test(m[1]) ? 'MySQL' : undefined;
      if (db) out.add('database', db, { file: path, line: lineAt(text, m.index), detail: `client "${m[1]}"` });
    },
  },
  {
    match: (_path, name) =>
      /^ormconfig\.(json|js|ts|ya?ml)$/.test(name) || /(data-source|typeorm\.config|database\.module|app\.module|ormconfig)\.[cm]?[tj]s$/.test(name),
    read: ({ path, name, text }, out) => {
      // A NestJS module or data source that is not TypeORM's says nothing (an ormconfig always is).
      if (!/typeorm|TypeOrmModule|DataSource/i.test(text) && !name.startsWith('ormconfig')) return;
      const m = /["']?type["']?\s*:\s*['"](postgres|mysql|mariadb|cockroachdb)['"]/.exec(blankComments(text, 'js'));
      if (m)
        out.add('database', m[1] === 'mysql' || m[1] === 'mariadb' ? 'MySQL' : 'PostgreSQL', {
          file: path,
          line: lineAt(text, m.index),
          detail: `TypeORM type "${m[1]}"`,
        });
    },
  },
  {
    match: (path, name) => name === 'config.toml' && /(^|\/)supabase\/config\.toml$/.test(path),
    read: ({ path, text }, out) => {
      out.add('database', 'Supabase', { file: path, line: findLine(text, /^project_id/m) ?? 1, detail: 'Supabase CLI config' });
      const auth = findLine(text, /^\[auth\]/m);
      if (auth && !/^\[auth\][^[]*enabled\s*=\s*false/m.test(text)) out.add('auth', 'Supabase Auth', { file: path, line: auth, detail: '[auth] section' });
    },
  },
  {
    // Hasura CLI project: config.yaml with `version:` and `metadata_directory:` (or `endpoint:`) beside a metadata folder.
    match: (_path, name) => name === 'config.yaml' || name === 'config.yml',
    read: ({ path, name, text, files }, out) => {
      const dir = path.slice(0, path.length - name.length);
      const hasMetadata = files.paths.some((p) => p.startsWith(`${dir}metadata/`));
      if (/^version\s*:\s*[23]\s*$/m.test(text) && (hasMetadata || /^metadata_directory\s*:/m.test(text) || /^endpoint\s*:/m.test(text))) {
        out.add('database', 'Hasura', { file: path, line: findLine(text, /^version\s*:/m) ?? 1, detail: 'Hasura CLI config' });
      }
    },
  },
  {
    match: (path) => /(^|\/)metadata\/databases\/databases\.ya?ml$/.test(path),
    read: ({ path, text }, out) => {
      const kind = /kind\s*:\s*(\w+)/.exec(text);
      out.add('database', 'Hasura', {
        file: path,
        line: kind ? lineAt(text, kind.index) : 1,
        detail: kind ? `Hasura database kind ${kind[1]}` : 'Hasura metadata',
      });
    },
  },
  {
    match: (_path, name) => /^(docker-)?compose(\.[\w-]+)?\.ya?ml$/.test(name),
    read: ({ path, text }, out) => {
      for (const m of text.matchAll(/^\s*image\s*:\s*['"]?([\w./-]+)(?::[\w.-]+)?['"]?\s*$/gm)) {
        const db = imageDatabase(m[1].toLowerCase());
        if (db) out.add('database', db, { file: path, line: lineAt(text, m.index), detail: `image ${m[1]}` });
      }
    },
  },
];

export function fromConfigFiles(files: ProjectFileSource, out: Findings): void {
  for (const path of files.paths) {
    const name = base(path);
    if (path.startsWith('skene/')) continue;
    const reader = READERS.find((r) => r.match(path, name));
    const text = reader && files.read(path);
    if (reader && text) reader.read({ path, name, text, files }, out);
  }
}
