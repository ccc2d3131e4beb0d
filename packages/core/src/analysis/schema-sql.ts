/**
 * Tables and columns from SQL schema files: CREATE TABLE and ALTER TABLE … ADD COLUMN, read with
 * PostgreSQL's parser, falling back to the MySQL-dialect parser for MySQL schema files. Tables keep
 * their schema (`CREATE TABLE crm.users`), and the schemas a file creates are listed: names are
 * resolved by ./table-names.ts.
 */
import { LineMap } from './positions.js';
import type { TableInfo } from './project.js';
import { addPgConstraint, mysqlKeys, pgCreateKeys } from './schema-keys.js';
import { normalizeRef, tableKey } from './table-names.js';
import { mysqlParser } from '../sql/mysql.js';
import { bytesToUtf16, parsePostgres, visitPg } from '../sql/postgres.js';

export interface SchemaSql {
  tables: TableInfo[];
  /** Schemas (MySQL: databases) the file creates or puts tables in, `public` left out. */
  schemas: string[];
  /** Keys an ALTER TABLE adds to a table another file creates (a later migration's foreign key). */
  alters?: TableInfo[];
  /** Not read: PostgreSQL's parser refused the file, and MySQL's grammar is not loaded. */
  needsMysql?: true;
}

interface PgRangeVar {
  schemaname?: string;
  relname?: string;
  location?: number;
}

export function parseSchemaSql(text: string, file: string): SchemaSql {
  const lines = new LineMap(text);
  const lower = text.toLowerCase();
  // Where a table's name stands after its statement starts (names are data: never put into a RegExp).
  const locate = (name: string, from: number) => {
    const at = lower.indexOf(name.toLowerCase(), from);
    return lines.position(at === -1 ? from : at);
  };
  const schemas = new Set<string>();
  // Keys added by ALTER TABLE to a table this file does not create, by `tableKey`.
  const alters = new Map<string, TableInfo>();
  const altered = (ref: { schema?: string; name: string }, dialect: TableInfo['dialect']) => {
    const key = tableKey(ref);
    if (!alters.has(key)) alters.set(key, { ...normalizeRef(ref), dialect, columns: [], file, line: 0, character: 0 });
    return alters.get(key)!;
  };
  const pg = parsePostgres(text);
  if (pg.ok) {
    const tables = new Map<string, TableInfo>();
    for (const { stmt, stmt_location: bytes = 0 } of pg.ast.stmts) {
      const stmt_location = bytesToUtf16(text, bytes);
      visitPg(stmt, (type, node) => {
        if (type === 'CreateSchemaStmt' && typeof node.schemaname === 'string') schemas.add(node.schemaname);
        // A MySQL file PostgreSQL's parser also reads: `CREATE DATABASE shop` makes `shop.*` names checked.
        if (type === 'CreatedbStmt' && typeof node.dbname === 'string') schemas.add(node.dbname);
        if (type === 'CreateStmt') {
          const relation = node.relation as PgRangeVar | undefined;
          const name = relation?.relname;
          if (!name) return;
          const ref = normalizeRef({ schema: relation.schemaname, name });
          if (ref.schema) schemas.add(ref.schema);
          const at = relation.location === undefined ? locate(name, stmt_location) : lines.position(bytesToUtf16(text, relation.location));
          const columns = ((node.tableElts as Record<string, Record<string, unknown>>[]) ?? [])
            .map((e) => e.ColumnDef)
            .filter(Boolean)
            .map((c) => ({ name: String(c.colname), type: pgTypeName(c.typeName) }));
          const table: TableInfo = { ...ref, dialect: 'postgres', columns, file, line: at.line, character: at.character };
          pgCreateKeys(table, (node.tableElts as Record<string, unknown>[]) ?? []);
          tables.set(tableKey(ref), table);
        } else if (type === 'AlterTableStmt') {
          const relation = node.relation as PgRangeVar | undefined;
          const ref = relation?.relname ? { schema: relation.schemaname, name: relation.relname } : undefined;
          const table = ref ? tables.get(tableKey(ref)) : undefined;
          for (const cmd of (node.cmds as { AlterTableCmd?: { subtype?: string; def?: { ColumnDef?: { colname?: string; typeName?: unknown } } } }[]) ?? []) {
            const def = cmd.AlterTableCmd?.subtype === 'AT_AddColumn' ? cmd.AlterTableCmd.def?.ColumnDef : undefined;
            if (table && def?.colname) table.columns.push({ name: def.colname, type: pgTypeName(def.typeName) });
            const constraint =
              cmd.AlterTableCmd?.subtype === 'AT_AddConstraint' ? (cmd.AlterTableCmd.def as { Constraint?: Parameters<typeof addPgConstraint>[1] }) : undefined;
            if (ref && constraint) addPgConstraint(table ?? altered(ref, 'postgres'), constraint.Constraint);
          }
        }
      });
    }
    return { tables: [...tables.values()], schemas: [...schemas], alters: [...alters.values()] };
  }
  const mysql = mysqlParser();
  if (!mysql) return { tables: [], schemas: [], needsMysql: true }; // read once the MySQL grammar is loaded
  try {
    const ast = mysql.astify(text, { database: 'MySQL' });
    const out: TableInfo[] = [];
    for (const stmt of (Array.isArray(ast) ? ast : [ast]) as unknown as Record<string, unknown>[]) {
      // `CREATE DATABASE shop` / `USE shop`: a database the files describe.
      const database =
        stmt.type === 'use'
          ? stmt.db
          : stmt.type === 'create' && (stmt.keyword === 'database' || stmt.keyword === 'schema')
            ? (stmt[stmt.keyword as string] as { schema?: { value?: string }[] })?.schema?.[0]?.value
            : undefined;
      if (typeof database === 'string') schemas.add(database);
      if (stmt.type === 'alter') {
        const target = (stmt.table as { db?: string | null; table: string }[])?.[0];
        const ref = target?.table ? normalizeRef({ schema: target.db ?? undefined, name: target.table }) : undefined;
        if (ref) mysqlKeys(out.find((t) => tableKey(t) === tableKey(ref)) ?? altered(ref, 'mysql'), mysqlAdded(stmt));
      }
      if (stmt.type !== 'create' || stmt.keyword !== 'table') continue;
      const created = (stmt.table as { db?: string | null; table: string }[])?.[0];
      const name = created?.table;
      if (!name) continue;
      const ref = normalizeRef({ schema: created.db ?? undefined, name });
      if (ref.schema) schemas.add(ref.schema);
      const at = locate(name, 0);
      const definitions = (stmt.create_definitions as Record<string, unknown>[]) ?? [];
      const columns = definitions
        .filter((d) => d.resource === 'column')
        .map((d) => {
          const column = (d.column as { column?: string | { expr?: { value?: string } } })?.column;
          return {
            name: typeof column === 'string' ? column : String(column?.expr?.value ?? ''),
            type: String((d.definition as { dataType?: string })?.dataType ?? '').toLowerCase(),
          };
        })
        .filter((c) => c.name);
      const table: TableInfo = { ...ref, dialect: 'mysql', columns, file, line: at.line, character: at.character };
      mysqlKeys(table, definitions);
      out.push(table);
    }
    return { tables: out, schemas: [...schemas], alters: [...alters.values()] };
  } catch {
    return { tables: [], schemas: [] }; // neither dialect could read it: schema checks stay quiet rather than guess
  }
}

/** The constraints an ALTER TABLE adds, as node-sql-parser gives them. */
function mysqlAdded(stmt: Record<string, unknown>): Record<string, unknown>[] {
  return ((stmt.expr as Record<string, unknown>[]) ?? []).flatMap((e) =>
    e.action === 'add' && e.resource === 'constraint' && e.create_definitions ? [e.create_definitions as Record<string, unknown>] : [],
  );
}

function pgTypeName(typeName: unknown): string | undefined {
  const names = (typeName as { names?: { String?: { sval?: string } }[] })?.names?.map((n) => n.String?.sval).filter((n) => n && n !== 'pg_catalog');
  return names?.length ? names.join('.') : undefined;
}
