/**
 * The people table — the app's, not ours: `users`, `members`, `accounts`, `customers`… named by
 * `defineConfig({ users: { table, key, email, name } })` (default `users`, its primary key else
 * `id`, `email`). One resolution of whose row `user` is, shared by check, completion, hover, go to
 * definition, the plan and the runner:
 *
 * 1. a trigger on the people table: the row itself;
 * 2. a declared foreign key to the people table (`REFERENCES members`): the row it points at;
 * 3. nothing declared: a `<person>_id` column by convention (`member_id`, `user_id`);
 * 4. a table with the email column (`invitations.email`): the row itself;
 * 5. otherwise no person: the step's events are not sent, and check says how to fix it.
 *
 * The editor gives it the schema files' tables; the plan gives it the database's catalog (which a
 * seeded plan built from the same files), so both answer alike.
 */
import { scanPlaceholders } from '../template/placeholders.js';
import type { ForeignKey } from './project.js';
import { normalizeRef, parseTableName, tableKey, type TableRef } from './table-names.js';

export const DEFAULT_PEOPLE_TABLE = 'users';
export const DEFAULT_EMAIL_COLUMN = 'email';

/** `users` in defineConfig, as written. */
export interface UsersOption {
  table?: string;
  key?: string;
  email?: string;
  name?: string;
}

export interface People {
  /** As configured (`members`, `crm.customers`); for Redis, the key prefix of the hashes. */
  table: string;
  ref: TableRef;
  /** The configured key column; undefined = the table's primary key, else `id`. */
  key?: string;
  email: string;
  name?: string;
  /** Whether `users` was set in the config (messages then name it). */
  configured: boolean;
}

export function peopleOf(option: UsersOption | undefined): People {
  const table = option?.table ?? DEFAULT_PEOPLE_TABLE;
  return {
    table,
    ref: normalizeRef(parseTableName(table)),
    ...(option?.key ? { key: option.key } : {}),
    email: option?.email ?? DEFAULT_EMAIL_COLUMN,
    ...(option?.name ? { name: option.name } : {}),
    configured: option !== undefined,
  };
}

/**
 * The people settings of a config read statically (`users` as plain data): undefined when a part
 * of it is computed at run time, so that nothing is checked against a guess.
 */
export function peopleOfUsers(users: unknown): People | undefined {
  if (users === undefined) return peopleOf(undefined);
  if (!users || typeof users !== 'object') return undefined;
  const option: UsersOption = {};
  for (const field of ['table', 'key', 'email', 'name'] as const) {
    const value = (users as Record<string, unknown>)[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') return undefined;
    option[field] = value;
  }
  return peopleOf(option);
}

/**
 * Whether a table (or Redis prefix) is the people table. An unqualified people table is that name
 * in any schema (`crm.users` too, case aside), as `users` always was; a qualified one is that table.
 */
export function isPeopleTable(people: People, table: TableRef | string): boolean {
  const ref = normalizeRef(typeof table === 'string' ? parseTableName(table) : table);
  if (people.ref.schema) return tableKey(ref).toLowerCase() === tableKey(people.ref).toLowerCase();
  return ref.name.toLowerCase() === people.ref.name.toLowerCase();
}

/** The people table's key: configured, else its one-column primary key, else `id`. */
export function peopleKey(people: People, primaryKey?: readonly string[]): string {
  return people.key ?? (primaryKey?.length === 1 ? primaryKey[0]! : 'id');
}

/** `to`'s default: the people table's email column. */
export function defaultTo(people: People): string {
  return `{{user.${people.email}}}`;
}

/** The columns a trigger table names a person by when no foreign key is declared: `member_id`, `user_id`. */
export function conventionColumns(people: People): string[] {
  const one = singular(people.ref.name);
  return [...new Set([`${one}_id`, `${one}Id`, 'user_id', 'userId'])];
}

function singular(name: string): string {
  const lower = name.toLowerCase();
  if (lower === 'people') return 'person';
  if (/ies$/.test(lower)) return `${lower.slice(0, -3)}y`;
  if (/(ss|us)$/.test(lower)) return lower;
  return lower.endsWith('s') ? lower.slice(0, -1) : lower;
}

/** A trigger table as the resolution needs it: from schema files (editor) or the database's catalog (plan). */
export interface TableShape {
  ref: TableRef;
  columns: readonly string[];
  foreignKeys?: readonly ForeignKey[];
}

/** Whose row `user` is for a trigger table. */
export type PersonRoute =
  | { kind: 'row'; why: 'people' | 'email' }
  /** `user` is the row of `table` whose `references` column (undefined: its key) equals `row[column]`. */
  | { kind: 'lookup'; column: string; table: TableRef; references?: string; declared: boolean }
  | { kind: 'none' };

export function personRoute(people: People, table: TableShape): PersonRoute {
  if (isPeopleTable(people, table.ref)) return { kind: 'row', why: 'people' };
  const declared = (table.foreignKeys ?? []).filter((fk) => isPeopleTable(people, fk.table));
  const conventional = conventionColumns(people);
  if (declared.length) {
    // Two keys to the people table (`owner`, `reviewer`): the conventional name wins, else the first by column name
    // (schema files and the catalog list keys in different orders; the column names are the same).
    const fk = declared.find((k) => conventional.includes(k.column)) ?? [...declared].sort((x, y) => (x.column < y.column ? -1 : 1))[0]!;
    return { kind: 'lookup', column: fk.column, table: normalizeRef(fk.table), ...(fk.references ? { references: fk.references } : {}), declared: true };
  }
  const column = conventional.find((c) => table.columns.includes(c));
  if (column) return { kind: 'lookup', column, table: people.ref, ...(people.key ? { references: people.key } : {}), declared: false };
  if (table.columns.includes(people.email)) return { kind: 'row', why: 'email' };
  return { kind: 'none' };
}

/**
 * Whether a step needs a person: `to` left at its default (the person's address), or a `{{user…}}`
 * in `to`, `from`, `subject`, personalization or a Redis command. A step that needs none (`to:
 * '{{row.invitee_email}}'`) sends without one; the plan and SKN043 both ask this.
 */
export function needsPerson(step: { toGiven: boolean; texts: readonly (string | undefined)[] }): boolean {
  return !step.toGiven || step.texts.some((text) => text !== undefined && scanPlaceholders(text).placeholders.some((p) => p.path[0] === 'user'));
}

/** The texts of an action (and a Redis condition's command) that may name `user`, as the plan loads them. */
export function personTexts(action: { to?: string; from?: string; subject?: string; personalization?: Record<string, string> }, command?: readonly string[]) {
  return {
    toGiven: action.to !== undefined,
    texts: [action.to, action.from, action.subject, ...Object.values(action.personalization ?? {}), ...(command ?? [])],
  };
}

/** Why a trigger table's rows reach no person, and how to fix it: the plan's reason and check's message. */
export function noPersonReason(people: People, table: string): string {
  return `${table} is not the people table (${people.table}), has no foreign key to it, no ${conventionColumns(people)[0]} column and no ${people.email} column`;
}
