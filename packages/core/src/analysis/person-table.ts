/**
 * The table `user` stands for in a step, read from the schema files by the people resolution
 * (./people.ts) — for check (SKN041, SKN043), completion, hover and go to definition alike, and as
 * the plan reads it from the database.
 */
import type { Dialect } from '../dialect.js';
import type { ConfigShape } from './document.js';
import { isPeopleTable, peopleOf, peopleOfUsers, personRoute, type People, type PersonRoute } from './people.js';
import type { SchemaCatalog, TableInfo } from './project.js';
import { findTable, parseTableName, type TableRef } from './table-names.js';
import { property, toPlain, type ValueNode } from './values.js';

/** The config's `users` setting, read from the document (only a `defineConfig` export has one). */
export function documentPeople(doc: { shape?: ConfigShape; root?: ValueNode }): People | undefined {
  // Once per document: the analysis asks for every step's person.
  if (!peopleOfDocument.has(doc)) {
    const users = doc.shape === 'config' ? property(doc.root, 'users') : undefined;
    peopleOfDocument.set(doc, users ? peopleOfUsers(toPlain(users.value)) : peopleOf(undefined));
  }
  return peopleOfDocument.get(doc);
}

const peopleOfDocument = new WeakMap<object, People | undefined>();

export interface PersonStep {
  /** `database` / `schedule`, as written. */
  triggerType?: unknown;
  /** A database trigger's `table`. */
  table?: unknown;
  /** A schedule's SQL condition, and the tables it reads. */
  query?: string;
  queryTables?: readonly TableRef[];
}

export interface PersonTable {
  /** The table whose row `user` is, when the schema files create it. */
  table?: TableInfo;
  /** A database trigger's route (undefined for schedules, or when the trigger table is unknown). */
  route?: PersonRoute;
  /** The trigger table, when the schema files create it. */
  trigger?: TableInfo;
}

/** A schema file's table as the resolution reads it. */
export function shapeOf(table: TableInfo) {
  return { ref: { schema: table.schema, name: table.name }, columns: table.columns.map((c) => c.name), foreignKeys: table.foreignKeys };
}

export function personTable(input: { people: People | undefined; schema: SchemaCatalog | undefined; dialect: Dialect; step: PersonStep }): PersonTable {
  const { people, schema, dialect, step } = input;
  if (!people || !schema || dialect === 'redis') return {};
  // A trigger not written yet (or a table the files do not create, SKN040): the people table, as the editor's best guess.
  const fallback = () => withTable(findTable(schema, people.ref, dialect));
  if (step.triggerType === 'database') {
    const trigger = typeof step.table === 'string' && step.table ? findTable(schema, parseTableName(step.table), dialect) : undefined;
    // `auth.users` outside what the files describe is its own person: never another schema's `users`.
    if (!trigger) return typeof step.table === 'string' && step.table && isPeopleTable(people, step.table) ? {} : fallback();
    const route = personRoute(people, shapeOf(trigger));
    const table = route.kind === 'row' ? trigger : route.kind === 'lookup' ? findTable(schema, route.table, dialect) : undefined;
    return { trigger, route, ...(table ? { table } : {}) };
  }
  if (step.triggerType !== 'schedule') return fallback();
  // No condition: every row of the people table. A query: its rows, when they are the people table's (`SELECT *`, `SELECT members.*`).
  if (step.query === undefined) return withTable(findTable(schema, people.ref, dialect));
  const read = step.queryTables?.find((t) => t.name.toLowerCase() === people.ref.name.toLowerCase());
  if (!read) return {};
  const star = new RegExp(`^\\s*select\\s+(\\*|(?:[\\w.]+\\.)?${escape(read.name)}\\.\\*)`, 'i');
  return star.test(step.query) ? withTable(findTable(schema, read, dialect)) : {};
}

function withTable(table: TableInfo | undefined): PersonTable {
  return table ? { table } : {};
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
