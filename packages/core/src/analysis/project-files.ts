/**
 * Finds what analysis needs around a config on disk: the email templates beside it and the SQL
 * schema files that define its tables. The only part of analysis that does I/O.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { TEMPLATE_EXTENSIONS } from '../template/files.js';
import { scanPlaceholders } from '../template/placeholders.js';
import type { ProjectContext, SchemaCatalog, TemplateInfo } from './project.js';
import { parseSchemaSql } from './schema-sql.js';

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
    if (!(TEMPLATE_EXTENSIONS as readonly string[]).includes(ext)) continue;
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
    return m ? m[1].split(',').map((p) => p.split(/[:=]/)[0].trim()).filter((p) => /^\w+$/.test(p)) : [];
  } catch {
    return [];
  }
}

export function findSchemaFiles(configDir: string): string[] {
  const files: string[] = [];
  for (const location of SCHEMA_LOCATIONS) {
    const path = join(configDir, location);
    if (!existsSync(path)) continue;
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path, { recursive: true }).map(String).sort()) if (entry.endsWith('.sql')) files.push(join(path, entry));
    } else if (path.endsWith('.sql')) files.push(path);
  }
  return [...new Set(files)];
}

export function loadSchema(configDir: string, schemaFiles?: string[]): SchemaCatalog | undefined {
  const files = schemaFiles?.length ? schemaFiles : findSchemaFiles(configDir);
  if (!files.length) return undefined;
  const catalog: SchemaCatalog = { tables: new Map(), files: files.map((f) => relative(configDir, f) || f) };
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const table of parseSchemaSql(text, relative(configDir, file) || file)) {
      const existing = catalog.tables.get(table.name);
      if (existing) existing.columns.push(...table.columns.filter((c) => !existing.columns.some((e) => e.name === c.name)));
      else catalog.tables.set(table.name, table);
    }
  }
  return catalog;
}
