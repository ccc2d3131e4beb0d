/**
 * The users table a SQL starter reads: the project's own (from the detected schema) or, when it
 * has none with an email column, an example `users` table the seed defines.
 */
import type { DetectedTable, StackDetection } from '../detect/types.js';
import { userSchemaHints } from '../prompt/hints.js';

export interface SqlModel {
  table: string;
  /** True when the project has no users table and the seed defines one. */
  own: boolean;
  id: string;
  idType: 'integer' | 'uuid' | 'text';
  email: string;
  name?: string;
  created?: string;
  activity?: { kind: 'column'; column: string } | { kind: 'table'; table: string; userId: string; at: string };
  /** The users table is literally `users`: templates may use `user`; otherwise they use `row`. */
  isUsers: boolean;
}

const EXAMPLE: SqlModel = {
  table: 'users',
  own: true,
  id: 'id',
  idType: 'integer',
  email: 'email',
  name: 'name',
  created: 'created_at',
  activity: { kind: 'column', column: 'last_activity_at' },
  isUsers: true,
};

function idTypeOf(table: DetectedTable | undefined, column: string): SqlModel['idType'] {
  const type = table?.columns.find((c) => c.name === column)?.type?.toLowerCase() ?? '';
  if (type.includes('uuid')) return 'uuid';
  if (/^(text|string|varchar|character varying|char)/.test(type) && !/serial|int/.test(type)) return 'text';
  return 'integer';
}

export function sqlModel(detection: StackDetection): SqlModel {
  const hints = userSchemaHints(detection.tables);
  if (!hints.users || !hints.email) return { ...EXAMPLE };
  const t = hints.users;
  const id = t.columns.some((c) => c.name === 'id') ? 'id' : (t.columns[0]?.name ?? 'id');
  const activity: SqlModel['activity'] = hints.activityColumn
    ? { kind: 'column', column: hints.activityColumn }
    : hints.activityTable
      ? { kind: 'table', table: hints.activityTable.table.name, userId: hints.activityTable.userId, at: hints.activityTable.at }
      : undefined;
  const model = { table: t.name, own: false, id, idType: idTypeOf(t, id), email: hints.email, name: hints.name, created: hints.createdAt };
  return { ...model, activity, isUsers: t.name === 'users' };
}

export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The i-th seed person's id, in the id column's type. */
export function idLiteral(model: SqlModel, i: number): string {
  if (model.idType === 'uuid') return sqlString(`00000000-0000-4000-8000-00000000000${i + 1}`);
  if (model.idType === 'text') return sqlString(`user_${i + 1}`);
  return String(i + 1);
}
