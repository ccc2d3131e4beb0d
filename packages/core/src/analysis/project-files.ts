/**
 * Finds what analysis needs around a config on disk: the email templates beside it and the SQL
 * schema files that define its tables. The only part of analysis that does I/O.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { TEMPLATE_EXTENSIONS } from '../template/files.js';
import { scanPlaceholders } from '../template/placeholders.js';
import type { ProjectContext, SchemaCatalog, TemplateInfo } from './project.js';
import type { Dialect } from '../dialect.js';
import { isRegularFile, projectData } from '../project-data.js';
import { mergeKeys } from './schema-keys.js';
import { parseSchemaSql } from './schema-sql.js';
import { tableKey } from './table-names.js';

/**
 * Templates and tables around a config. `schemaFiles`: the files to read tables from (default: the
 * project's, as projectData finds them — the seed the plan loads, and the migrations).
 */
export function loadProjectContext(configPath: string, options: { schemaFiles?: string[] } = {}): ProjectContext {
  const dir = dirname(configPath);
  const unread: string[] = [];
  const schema = loadSchema(dir, options.schemaFiles ?? projectData({ configPath }).schemaFiles, unread);
  return { templates: findTemplates(dir), schema, ...(unread.length ? { unreadWithoutMysql: unread } : {}) };
}

export function findTemplates(configDir: string): Map<string, TemplateInfo> {
  const templates = new Map<string, TemplateInfo>();
  const emails = join(configDir, 'emails');
  let entries: string[] = [];
  try {
    entries = readdirSync(emails).sort();
  } catch {
    return templates;
  }
  for (const entry of entries) {
    const ext = extname(entry);
    if (!(TEMPLATE_EXTENSIONS as readonly string[]).includes(ext) || !isRegularFile(join(emails, entry))) continue;
    const name = basename(entry, ext);
    if (templates.has(name)) continue;
    const file = join('emails', entry);
    templates.set(name, { name, file, props: ext === '.html' ? htmlProps(join(configDir, file)) : componentProps(join(configDir, file)) });
  }
  return templates;
}

function htmlProps(path: string): string[] {
  try {
    return [...new Set(scanPlaceholders(readFileSync(path, 'utf8')).placeholders.map((p) => p.path[0]))];
  } catch {
    return [];
  }
}

/** Props a component destructures: `function Welcome({ name, activationLink })`. */
function componentProps(path: string): string[] {
  try {
    const text = readFileSync(path, 'utf8');
    const m = /export\s+default\s+(?:async\s+)?function\s*\w*\s*\(\s*\{([^}]*)\}/.exec(text) ?? /\(\s*\{([^}]*)\}\s*(?::[^)]*)?\)\s*=>/.exec(text);
    return m
      ? m[1]
          .split(',')
          .map((p) => p.split(/[:=]/)[0].trim())
          .filter((p) => /^\w+$/.test(p))
      : [];
  } catch {
    return [];
  }
}

/** The schema files of the project around a config: its seed's SQL files and its migrations (project-data.ts). */
export function findSchemaFiles(configDir: string, dialect?: Dialect): string[] {
  return projectData({ configPath: join(configDir, 'skene.config.ts'), dialect }).schemaFiles;
}

/** The tables of the schema files; those only MySQL's grammar could read, when it is not loaded, go to `unreadWithoutMysql`. */
export function loadSchema(configDir: string, schemaFiles?: string[], unreadWithoutMysql?: string[]): SchemaCatalog | undefined {
  const files = schemaFiles ?? findSchemaFiles(configDir);
  if (!files.length) return undefined;
  const catalog: SchemaCatalog = { tables: new Map(), files: files.map((f) => relative(configDir, f) || f), schemas: new Set() };
  for (const file of files) {
    if (!isRegularFile(file)) continue;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const parsed = parseSchemaSql(text, relative(configDir, file) || file);
    if (parsed.needsMysql) unreadWithoutMysql?.push(file);
    for (const schema of parsed.schemas) catalog.schemas!.add(schema);
    for (const table of parsed.tables) {
      const key = tableKey(table);
      const existing = catalog.tables.get(key);
      if (existing) existing.columns.push(...table.columns.filter((c) => !existing.columns.some((e) => e.name === c.name)));
      else catalog.tables.set(key, table);
    }
    mergeKeys(catalog, parsed);
  }
  // Schema files none of which could be read define nothing to check against: stay quiet rather
  // than call every table unknown.
  return catalog.tables.size ? catalog : undefined;
}
