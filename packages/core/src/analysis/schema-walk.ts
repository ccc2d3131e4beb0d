/**
 * Reads the zod schema as a tree, so completion, hover and did-you-mean come from the same schema
 * that validates at run time — never from a second, hand-kept list of keys.
 */
import { configSchema, loopSchema } from '@skene/sdk';
import type { z } from 'zod';

type AnySchema = z.ZodType;
interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  innerType?: AnySchema;
  options?: AnySchema[];
  discriminator?: string;
  entries?: Record<string, string>;
  values?: unknown[];
  valueType?: AnySchema;
  in?: AnySchema;
}

function def(schema: AnySchema): Def {
  return (schema as unknown as { def: Def }).def;
}

interface Unwrapped {
  schema: AnySchema;
  optional: boolean;
  description?: string;
}

/**
 * Each schema's unwrapping, computed once: zod's `description` getter asks its registry, which
 * copies the metadata of the schema and of every parent it was derived from on each call — most of
 * a completion's time in the server's profile. Skene's schemas and their descriptions are fixed
 * once the SDK has loaded.
 */
const unwrapped = new WeakMap<AnySchema, Readonly<Unwrapped>>();

/** Optional/default/nullable wrappers removed; descriptions kept from the outermost that has one. */
export function unwrapSchema(schema: AnySchema): Readonly<Unwrapped> {
  let result = unwrapped.get(schema);
  if (!result) unwrapped.set(schema, (result = Object.freeze(unwrap(schema))));
  return result;
}

function unwrap(schema: AnySchema): Unwrapped {
  let description = schema.description;
  let optional = false;
  let current = schema;
  for (;;) {
    const d = def(current);
    if (d.type === 'optional' || d.type === 'default' || d.type === 'nullable') {
      optional ||= d.type !== 'nullable';
      current = d.innerType!;
    } else if (d.type === 'pipe' && d.in) {
      current = d.in;
    } else break;
    description ??= current.description;
  }
  return { schema: current, optional, description: description ?? current.description };
}

export function kindOf(schema: AnySchema): string {
  return def(unwrapSchema(schema).schema).type;
}

/** For a discriminated union, the option whose discriminator literal matches `value`. */
function pickOption(schema: AnySchema, value: unknown): AnySchema | undefined {
  const d = def(schema);
  if (d.type !== 'union' || !d.options) return undefined;
  const discriminator = d.discriminator;
  if (!discriminator) return undefined;
  const tag = value && typeof value === 'object' ? (value as Record<string, unknown>)[discriminator] : undefined;
  return d.options.find((o) => literalValues(shapeOf(o)?.[discriminator]).includes(tag as never));
}

export function shapeOf(schema: AnySchema | undefined): Record<string, AnySchema> | undefined {
  if (!schema) return undefined;
  const inner = unwrapSchema(schema).schema;
  return def(inner).type === 'object' ? def(inner).shape : undefined;
}

/** Allowed literal values (enum entries, literal values), else []. */
export function literalValues(schema: AnySchema | undefined): unknown[] {
  if (!schema) return [];
  const d = def(unwrapSchema(schema).schema);
  if (d.type === 'enum') return Object.values(d.entries ?? {});
  if (d.type === 'literal') return d.values ?? [];
  return [];
}

/** Discriminator values a union allows (e.g. trigger `type`: database, schedule). */
export function discriminatorValues(schema: AnySchema): { key: string; values: unknown[] } | undefined {
  const d = def(unwrapSchema(schema).schema);
  if (d.type !== 'union' || !d.discriminator || !d.options) return undefined;
  return { key: d.discriminator, values: d.options.flatMap((o) => literalValues(shapeOf(o)?.[d.discriminator!])) };
}

/**
 * The schema at `path` inside `rootValue` validated by `root`. Discriminated unions are resolved by
 * the value actually present; when it has no (valid) discriminator the union itself is returned.
 */
export function schemaAtPath(root: AnySchema, rootValue: unknown, path: readonly PropertyKey[]): AnySchema | undefined {
  let schema: AnySchema | undefined = root;
  let value: unknown = rootValue;
  for (const segment of path) {
    if (!schema) return undefined;
    schema = resolveUnion(unwrapSchema(schema).schema, value);
    const d = def(schema);
    if (d.type === 'object') schema = d.shape?.[String(segment)];
    else if (d.type === 'array') schema = d.element;
    else if (d.type === 'record') schema = d.valueType;
    else return undefined;
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[segment as never] : undefined;
  }
  return schema;
}

/** A union resolved to the option matching the value's discriminator (or left as is). */
export function resolveUnion(schema: AnySchema, value: unknown): AnySchema {
  const inner = unwrapSchema(schema).schema;
  return pickOption(inner, value) ?? inner;
}

/** Keys an object at `path` may have (union options merged when unresolved). */
export function keysAt(
  root: AnySchema,
  rootValue: unknown,
  path: readonly PropertyKey[],
  valueAtPath: unknown,
): { key: string; schema: AnySchema; required: boolean }[] {
  const schema = schemaAtPath(root, rootValue, path);
  if (!schema) return [];
  const resolved = resolveUnion(schema, valueAtPath);
  const d = def(resolved);
  const shapes = d.type === 'object' ? [d.shape ?? {}] : d.type === 'union' ? (d.options ?? []).map((o) => shapeOf(o) ?? {}) : [];
  const seen = new Map<string, { key: string; schema: AnySchema; required: boolean }>();
  for (const shape of shapes) {
    for (const [key, s] of Object.entries(shape)) if (!seen.has(key)) seen.set(key, { key, schema: s, required: !unwrapSchema(s).optional });
  }
  return [...seen.values()];
}

/** The schema validating a config's default export of the given shape. */
export function rootSchema(shape: 'loop' | 'loops' | 'config'): AnySchema {
  return shape === 'config' ? configSchema : shape === 'loop' ? loopSchema : (loopArraySchema ??= configSchema.shape.loops as AnySchema);
}
let loopArraySchema: AnySchema | undefined;
