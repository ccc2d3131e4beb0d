/**
 * What a cursor path means in the schema: which field it names, which of the fields with special
 * completion/hover (table, template, cron, …) it is. Everything is read from the zod schema.
 */
import {
  databaseTriggerSchema,
  emailActionSchema,
  queryConditionSchema,
  queryGoalSchema,
  redisConditionSchema,
  redisGoalSchema,
  scheduleTriggerSchema,
  usersSchema,
} from '@skene/sdk';
import type { z } from 'zod';
import { discriminatorValues, keysAt, resolveUnion, schemaAtPath, shapeOf, unwrapSchema } from '../analysis/schema-walk.js';
import { plainAt } from '../analysis/values.js';
import type { Anchor, Segment } from './anchor.js';

type Schema = z.ZodType;

export type FieldRole =
  | 'table'
  /** `users.key`, `users.email`, `users.name`: a column of the people table. */
  | 'people-column'
  | 'event'
  | 'template'
  | 'cron'
  | 'timezone'
  | 'timeout'
  | 'query'
  | 'template-string'
  | 'redis-command'
  | 'provider'
  | 'personalization'
  | 'discriminator'
  | 'other';

export interface FieldInfo {
  key: Segment;
  /** The field's schema (as declared: optional wrappers kept, so descriptions are found). */
  schema: Schema | undefined;
  /** The schema of the object (or array/record) that holds the field, union resolved when possible. */
  container: Schema | undefined;
  /** Set when the field is a discriminated union's tag (`type` of a trigger, condition, action). */
  discriminator?: { values: unknown[]; union: Schema };
  role: FieldRole;
  description?: string;
}

function def(schema: Schema): { type: string; valueType?: Schema; element?: Schema; options?: Schema[] } {
  return (schema as unknown as { def: ReturnType<typeof def> }).def;
}

const TEMPLATE_STRING = unwrapSchema(emailActionSchema.shape.to).schema;

const ROLES = new Map<Schema, FieldRole>([
  [databaseTriggerSchema.shape.table, 'table'],
  [usersSchema.shape.table, 'table'],
  [usersSchema.shape.key, 'people-column'],
  [usersSchema.shape.email, 'people-column'],
  [usersSchema.shape.name, 'people-column'],
  [databaseTriggerSchema.shape.event, 'event'],
  [emailActionSchema.shape.template, 'template'],
  [emailActionSchema.shape.provider, 'provider'],
  [scheduleTriggerSchema.shape.cron, 'cron'],
  [scheduleTriggerSchema.shape.timezone, 'timezone'],
  [queryConditionSchema.shape.timeout, 'timeout'],
  [redisConditionSchema.shape.timeout, 'timeout'],
  [queryConditionSchema.shape.query, 'query'],
  [redisConditionSchema.shape.command, 'redis-command'],
  // A goal's text is read as a condition's: SQL completion and hover, `{{…}}` in Redis arguments.
  [queryGoalSchema.shape.query, 'query'],
  [redisGoalSchema.shape.command, 'redis-command'],
  [emailActionSchema.shape.personalization, 'personalization'],
]);

/** The field a value path (`[…, 'trigger', 'cron']`) names. */
export function fieldAt(anchor: Anchor, path: readonly Segment[]): FieldInfo | undefined {
  if (!path.length) return undefined;
  const key = path[path.length - 1];
  const ownerPath = path.slice(0, -1);
  const raw = schemaAtPath(anchor.schema, anchor.plain, ownerPath);
  if (!raw) return undefined;
  const ownerValue = plainAt(anchor.plain, ownerPath);
  const tags = discriminatorValues(raw);
  const container = resolveUnion(raw, ownerValue);
  const d = def(container);
  let schema: Schema | undefined;
  if (d.type === 'object') schema = shapeOf(container)?.[String(key)];
  else if (d.type === 'union') schema = (d.options ?? []).map((o) => shapeOf(o)?.[String(key)]).find(Boolean);
  else if (d.type === 'record') schema = d.valueType;
  else if (d.type === 'array') schema = d.element;
  const discriminator = tags && tags.key === key ? { values: tags.values, union: unwrapSchema(raw).schema } : undefined;
  let role: FieldRole = discriminator ? 'discriminator' : ((schema && ROLES.get(schema)) ?? 'other');
  if (role === 'other' && schema && unwrapSchema(schema).schema === TEMPLATE_STRING) role = 'template-string';
  if (
    role === 'other' &&
    d.type === 'array' &&
    ownerPath.length &&
    ROLES.get(schemaAtPath(anchor.schema, anchor.plain, ownerPath) as Schema) === 'redis-command'
  )
    role = 'template-string';
  const description = discriminator ? tagDescription(raw, ownerValue, String(key)) : schema ? unwrapSchema(schema).description : undefined;
  return { key, schema, container, discriminator, role, description };
}

/** A tag's description: the chosen option's, else the union's own. */
function tagDescription(union: Schema, value: unknown, key: string): string | undefined {
  const resolved = resolveUnion(union, value);
  const own = shapeOf(resolved)?.[key];
  return (own && unwrapSchema(own).description) ?? unwrapSchema(union).description;
}

/** Keys the object at `path` may have. */
export function keysFor(anchor: Anchor, path: readonly Segment[]) {
  return keysAt(anchor.schema, anchor.plain, path, plainAt(anchor.plain, path));
}

/** The schema of the object at `path` (unions resolved when the value says which option). */
export function objectSchemaAt(anchor: Anchor, path: readonly Segment[]): Schema | undefined {
  const raw = schemaAtPath(anchor.schema, anchor.plain, path);
  return raw ? resolveUnion(raw, plainAt(anchor.plain, path)) : undefined;
}

/** A short type name for a field's detail line: `string`, `'insert' | 'update' | 'delete'`, `object`… */
export function typeLabel(schema: Schema | undefined): string {
  if (!schema) return '';
  const { schema: inner, optional } = unwrapSchema(schema);
  const d = (
    inner as unknown as {
      def: { type: string; entries?: Record<string, string>; values?: unknown[]; element?: Schema; options?: Schema[]; discriminator?: string };
    }
  ).def;
  let label: string;
  if (d.type === 'enum')
    label = Object.values(d.entries ?? {})
      .map((v) => `'${v}'`)
      .join(' | ');
  else if (d.type === 'literal') label = (d.values ?? []).map((v) => JSON.stringify(v).replace(/"/g, "'")).join(' | ');
  else if (d.type === 'array') label = `${typeLabel(d.element)}[]`;
  else if (d.type === 'union')
    label = d.discriminator
      ? `{ ${d.discriminator}: ${discriminatorValues(inner)
          ?.values.map((v) => `'${String(v)}'`)
          .join(' | ')}, … }`
      : 'union';
  else if (d.type === 'object') label = 'object';
  else if (d.type === 'record') label = 'Record<string, string>';
  else label = d.type;
  return optional ? `${label} (optional)` : label;
}
