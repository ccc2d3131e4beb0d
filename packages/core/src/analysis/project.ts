/** What analysis knows of the project around the config (found on disk by ./project-files.ts). */
import type { SqlDialect } from '../dialect.js';

export interface ColumnInfo {
  name: string;
  type?: string;
}

/** `column REFERENCES table (references)`: how a row points at a row of another table. */
export interface ForeignKey {
  column: string;
  /** The referenced table; `schema` undefined = the default schema (or the same database). */
  table: { schema?: string; name: string };
  /** The referenced column; undefined = the referenced table's primary key. */
  references?: string;
}

export interface TableInfo {
  /** The table's own name, as the database stores it (`users` of `crm.users`). */
  name: string;
  /** Its schema (MySQL: database) when not the default one (`public`): see ./table-names.ts. */
  schema?: string;
  /** The dialect its schema file was read in: how SQL completion quotes its name. */
  dialect?: SqlDialect;
  columns: ColumnInfo[];
  /** Its primary key's columns, when the schema files declare one. */
  primaryKey?: string[];
  /** The single-column foreign keys the schema files declare (`REFERENCES`, `FOREIGN KEY`). */
  foreignKeys?: ForeignKey[];
  /** Where the table is created: for go to definition and hover. */
  file: string;
  line: number;
  character: number;
}

export interface SchemaCatalog {
  /** By `tableKey`: `users` (search_path `public`), `crm.users` (other schemas). */
  tables: Map<string, TableInfo>;
  files: string[];
  /** Schemas the files create or put tables in; names in other schemas are not checked. */
  schemas?: Set<string>;
}

export interface TemplateInfo {
  name: string;
  /** Path relative to the config's folder, e.g. `emails/welcome.tsx`. */
  file: string;
  /** Props the template reads (React component props / HTML `{{key}}`), when they could be read. */
  props: string[];
}

export interface ProjectContext {
  /** Email templates beside the config; undefined = not known (template names are not checked). */
  templates?: Map<string, TemplateInfo>;
  /** Tables and columns from SQL schema files; undefined = no schema files (tables are not checked). */
  schema?: SchemaCatalog;
  /** Schema files left unread: PostgreSQL's parser refused them, and MySQL's grammar was not loaded. */
  unreadWithoutMysql?: string[];
}

// The dialect lives in core's leaf module; analysis's callers (the CLI, the server) keep naming it here.
export { DIALECTS, dialectForUrl, type Dialect } from '../dialect.js';
