/**
 * Tables and columns from SQL schema files: CREATE TABLE and ALTER TABLE … ADD COLUMN, read with
 * PostgreSQL's parser, falling back to the MySQL-dialect parser for MySQL schema files.
 */
import { LineMap } from './positions.js';
import type { TableInfo } from './project.js';
import { mysqlParser } from '../sql/mysql.js';
import { bytesToUtf16, parsePostgres, visitPg } from '../sql/postgres.js';

export function parseSchemaSql(text: string, file: string): TableInfo[] {
  const lines = new LineMap(text);
  const lower = text.toLowerCase();
  // Where a table's name stands after its statement starts (names are data: never put into a RegExp).
  const locate = (name: string, from: number) => {
    const at = lower.indexOf(name.toLowerCase(), from);
    return lines.position(at === -1 ? from : at);
  };
  const pg = parsePostgres(text);
  if (pg.ok) {
    const tables = new Map<string, TableInfo>();
    for (const { stmt, stmt_location: bytes = 0 } of pg.ast.stmts) {
      const stmt_location = bytesToUtf16(text, bytes);
      visitPg(stmt, (type, node) => {
        if (type === 'CreateStmt') {
          const name = (node.relation as { relname?: string })?.relname;
          if (!name) return;
          const at = locate(name, stmt_location);
          const columns = ((node.tableElts as Record<string, Record<string, unknown>>[]) ?? [])
            .map((e) => e.ColumnDef)
            .filter(Boolean)
            .map((c) => ({ name: String(c.colname), type: pgTypeName(c.typeName) }));
          tables.set(name, { name, columns, file, line: at.line, character: at.character });
        } else if (type === 'AlterTableStmt') {
          const name = (node.relation as { relname?: string })?.relname;
          const table = name ? tables.get(name) : undefined;
          for (const cmd of (node.cmds as { AlterTableCmd?: { subtype?: string; def?: { ColumnDef?: { colname?: string; typeName?: unknown } } } }[]) ?? []) {
            const def = cmd.AlterTableCmd?.subtype === 'AT_AddColumn' ? cmd.AlterTableCmd.def?.ColumnDef : undefined;
            if (table && def?.colname) table.columns.push({ name: def.colname, type: pgTypeName(def.typeName) });
          }
        }
      });
    }
    return [...tables.values()];
  }
  const mysql = mysqlParser();
  if (!mysql) return []; // MySQL schema files are read when the MySQL dialect is in use
  try {
    const ast = mysql.astify(text, { database: 'MySQL' });
    const out: TableInfo[] = [];
    for (const stmt of (Array.isArray(ast) ? ast : [ast]) as unknown as Record<string, unknown>[]) {
      if (stmt.type !== 'create' || stmt.keyword !== 'table') continue;
      const name = (stmt.table as { table: string }[])?.[0]?.table;
      if (!name) continue;
      const at = locate(name, 0);
      const columns = ((stmt.create_definitions as Record<string, unknown>[]) ?? [])
        .filter((d) => d.resource === 'column')
        .map((d) => {
          const column = (d.column as { column?: string | { expr?: { value?: string } } })?.column;
          return { name: typeof column === 'string' ? column : String(column?.expr?.value ?? ''), type: String((d.definition as { dataType?: string })?.dataType ?? '').toLowerCase() };
        })
        .filter((c) => c.name);
      out.push({ name, columns, file, line: at.line, character: at.character });
    }
    return out;
  } catch {
    return []; // neither dialect could read it: schema checks stay quiet rather than guess
  }
}

function pgTypeName(typeName: unknown): string | undefined {
  const names = (typeName as { names?: { String?: { sval?: string } }[] })?.names?.map((n) => n.String?.sval).filter((n) => n && n !== 'pg_catalog');
  return names?.length ? names.join('.') : undefined;
}
