/**
 * Primary and foreign keys in schema files, for the people resolution (./people.ts): which column
 * of a trigger table points at the people table. Only single-column foreign keys are kept — a
 * person is found by one key.
 */
import type { ForeignKey, SchemaCatalog, TableInfo } from './project.js';
import { normalizeRef, tableKey } from './table-names.js';

type Node = Record<string, unknown>;

interface PgConstraint {
  contype?: string;
  keys?: { String?: { sval?: string } }[];
  fk_attrs?: { String?: { sval?: string } }[];
  pk_attrs?: { String?: { sval?: string } }[];
  pktable?: { schemaname?: string; relname?: string };
}

const names = (list: { String?: { sval?: string } }[] | undefined) => (list ?? []).map((n) => n.String?.sval).filter((n): n is string => !!n);

/** One PostgreSQL constraint on `table` (`column` set for a column constraint), added to its keys. */
export function addPgConstraint(table: TableInfo, constraint: PgConstraint | undefined, column?: string): void {
  if (!constraint) return;
  if (constraint.contype === 'CONSTR_PRIMARY') {
    const keys = column ? [column] : names(constraint.keys);
    if (keys.length) table.primaryKey = keys;
  } else if (constraint.contype === 'CONSTR_FOREIGN' && constraint.pktable?.relname) {
    const from = column ? [column] : names(constraint.fk_attrs);
    const to = names(constraint.pk_attrs);
    if (from.length !== 1 || to.length > 1) return;
    addForeignKey(table, {
      column: from[0]!,
      table: normalizeRef({ schema: constraint.pktable.schemaname, name: constraint.pktable.relname }),
      references: to[0],
    });
  }
}

/** A PostgreSQL CREATE TABLE's column and table constraints. */
export function pgCreateKeys(table: TableInfo, elements: Node[]): void {
  for (const element of elements) {
    const column = element.ColumnDef as { colname?: string; constraints?: { Constraint?: PgConstraint }[] } | undefined;
    if (column?.colname) for (const c of column.constraints ?? []) addPgConstraint(table, c.Constraint, column.colname);
    addPgConstraint(table, element.Constraint as PgConstraint | undefined);
  }
}

interface MysqlReference {
  definition?: { column?: unknown }[];
  table?: { db?: string | null; table?: string }[];
}

const mysqlColumn = (c: unknown): string | undefined => {
  const column = (c as { column?: string | { expr?: { value?: string } } })?.column;
  return typeof column === 'string' ? column : column?.expr?.value;
};

/** A MySQL-dialect CREATE TABLE's (or ALTER TABLE … ADD's) definitions, as node-sql-parser gives them. */
export function mysqlKeys(table: TableInfo, definitions: Node[]): void {
  for (const d of definitions) {
    const column = d.resource === 'column' ? mysqlColumn(d.column) : undefined;
    if (column && d.primary_key) table.primaryKey = [column];
    const reference = d.reference_definition as MysqlReference | undefined;
    const from = column ? [column] : ((d.definition as unknown[]) ?? []).map(mysqlColumn).filter((c): c is string => !!c);
    if (d.resource === 'constraint' && String(d.constraint_type).toLowerCase() === 'primary key' && from.length) table.primaryKey = from;
    const target = reference?.table?.[0];
    if (!reference || !target?.table || from.length !== 1) continue;
    const to = (reference.definition ?? []).map(mysqlColumn).filter((c): c is string => !!c);
    if (to.length > 1) continue;
    addForeignKey(table, { column: from[0]!, table: normalizeRef({ schema: target.db ?? undefined, name: target.table }), references: to[0] });
  }
}

function addForeignKey(table: TableInfo, key: ForeignKey): void {
  (table.foreignKeys ??= []).push(key.references === undefined ? { column: key.column, table: key.table } : key);
}

/**
 * One schema file's keys into the catalog, after its tables: keys of a table another file created
 * first, and a later migration's `ALTER TABLE … ADD FOREIGN KEY` on a table created earlier.
 */
export function mergeKeys(catalog: SchemaCatalog, parsed: { tables: TableInfo[]; alters?: TableInfo[] }): void {
  for (const from of [...parsed.tables, ...(parsed.alters ?? [])]) {
    const table = catalog.tables.get(tableKey(from));
    if (!table || table === from) continue;
    if (from.primaryKey && !table.primaryKey) table.primaryKey = from.primaryKey;
    if (from.foreignKeys?.length) table.foreignKeys = [...(table.foreignKeys ?? []), ...from.foreignKeys];
  }
}
