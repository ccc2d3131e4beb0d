/**
 * Finds what analysis needs around a config on disk: the email templates beside it and the SQL
 * schema files that define its tables. The only part of analysis that does I/O.
 */
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { TEMPLATE_EXTENSIONS } from '../template/files.js';
import { scanPlaceholders } from '../template/placeholders.js';
import type { ProjectContext, SchemaCatalog, TemplateInfo } from './project.js';
import { parseSchemaSql } from './schema-sql.js';
import { tableKey } from './table-names.js';

/** Where schema files are looked for when none are given, relative to the config's folder. */
export const SCHEMA_LOCATIONS = ['skene/seed.sql', 'seed.sql', 'migrations', 'supabase/migrations', 'seed', 'skene/seed'] as const;

export function loadProjectContext(configPath: string, options: { schemaFiles?: string[] } = {}): ProjectContext {
  const dir = dirname(configPath);
  return { templates: findTemplates(dir), schema: loadSchema(dir, options.schemaFiles) };
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

export function findSchemaFiles(configDir: string): string[] {
  const files: string[] = [];
  for (const location of SCHEMA_LOCATIONS) {
    const path = join(configDir, location);
    if (isDirectory(path)) files.push(...sqlFilesUnder(path));
    else if (path.endsWith('.sql') && isRegularFile(path)) files.push(path);
  }
  return [...new Set(files)];
}

const MAX_SCHEMA_FILES = 2000;
const MAX_DEPTH = 8;

/** `.sql` files below a folder in name order: symbolic links are not followed (no loops), FIFOs and devices are skipped. */
export function sqlFilesUnder(dir: string, depth = 0, out: string[] = []): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (out.length >= MAX_SCHEMA_FILES) break;
    const path = join(dir, entry);
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      continue;
    }
    if (stat.isDirectory() && depth < MAX_DEPTH) sqlFilesUnder(path, depth + 1, out);
    else if (stat.isFile() && entry.endsWith('.sql')) out.push(path);
  }
  return out;
}

/** A regular file (following links): reading anything else (a FIFO, a device) could block forever. */
export function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function loadSchema(configDir: string, schemaFiles?: string[]): SchemaCatalog | undefined {
  const files = schemaFiles?.length ? schemaFiles : findSchemaFiles(configDir);
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
    for (const schema of parsed.schemas) catalog.schemas!.add(schema);
    for (const table of parsed.tables) {
      const key = tableKey(table);
      const existing = catalog.tables.get(key);
      if (existing) existing.columns.push(...table.columns.filter((c) => !existing.columns.some((e) => e.name === c.name)));
      else catalog.tables.set(key, table);
    }
  }
  // Schema files none of which could be read define nothing to check against: stay quiet rather
  // than call every table unknown.
  return catalog.tables.size ? catalog : undefined;
}
