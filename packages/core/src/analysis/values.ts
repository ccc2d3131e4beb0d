/**
 * The config as data: object literals mapped to values that keep their exact source ranges.
 * Anything that is not a literal (an identifier we cannot resolve, a call, a template literal with
 * `${}`) is `opaque`: known to exist, value unknown — rules skip it instead of guessing.
 */
export interface Range {
  /** Offsets into the document text (UTF-16 code units, like LSP positions). */
  start: number;
  end: number;
}

export type ValueNode = ObjectNode | ArrayNode | StringNode | NumberNode | BooleanNode | NullNode | OpaqueNode;

export interface ObjectNode {
  kind: 'object';
  range: Range;
  properties: PropertyNode[];
}

export interface PropertyNode {
  key: string;
  keyRange: Range;
  /** The whole `key: value` text. */
  range: Range;
  /** Undefined for a half-typed property (`key:` with nothing after it). */
  value: ValueNode | undefined;
  /** A computed key (`[name]: …`): `key` is its source text, the real key is known only at run time. */
  computed?: boolean;
}

export interface ArrayNode {
  kind: 'array';
  range: Range;
  items: ValueNode[];
}

export interface StringNode {
  kind: 'string';
  range: Range;
  value: string;
  /** Offset of the first character after the opening quote. */
  contentStart: number;
  /** The raw text between the quotes, escapes unprocessed (to map value offsets back to the source). */
  raw: string;
}

export interface NumberNode {
  kind: 'number';
  range: Range;
  value: number;
}

export interface BooleanNode {
  kind: 'boolean';
  range: Range;
  value: boolean;
}

export interface NullNode {
  kind: 'null';
  range: Range;
}

export interface OpaqueNode {
  kind: 'opaque';
  range: Range;
  text: string;
  /** A const used inside its own definition (`const l = [...l]`). */
  cyclic?: boolean;
}

export function property(node: ValueNode | undefined, key: string): PropertyNode | undefined {
  return node?.kind === 'object' ? node.properties.find((p) => p.key === key) : undefined;
}

export function valueOf(node: ValueNode | undefined, key: string): ValueNode | undefined {
  return property(node, key)?.value;
}

export function stringAt(node: ValueNode | undefined, key: string): StringNode | undefined {
  const value = valueOf(node, key);
  return value?.kind === 'string' ? value : undefined;
}

/** The value a node stands for; opaque parts become OPAQUE so the schema check can tell them apart. */
export const OPAQUE: unique symbol = Symbol('opaque');

export function toPlain(node: ValueNode | undefined): unknown {
  if (!node) return undefined;
  switch (node.kind) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const p of node.properties) out[p.key] = p.value ? toPlain(p.value) : undefined;
      return out;
    }
    case 'array':
      return node.items.map(toPlain);
    case 'string':
    case 'number':
    case 'boolean':
      return node.value;
    case 'null':
      return null;
    case 'opaque':
      return OPAQUE;
  }
}

/** The plain value at a zod-style path. */
export function plainAt(value: unknown, path: readonly PropertyKey[]): unknown {
  for (const segment of path) value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[segment as never] : undefined;
  return value;
}

/** Walks a zod-style path; stops (returning what it reached and whether an opaque node is on the way). */
export function nodeAtPath(root: ValueNode, path: readonly PropertyKey[]): { node: ValueNode | undefined; parent: ValueNode | undefined; opaque: boolean } {
  let node: ValueNode | undefined = root;
  let parent: ValueNode | undefined;
  for (const segment of path) {
    if (!node) break;
    if (node.kind === 'opaque') return { node, parent, opaque: true };
    parent = node;
    if (node.kind === 'object') node = node.properties.find((p) => p.key === segment)?.value;
    else if (node.kind === 'array' && typeof segment === 'number') node = node.items[segment];
    else node = undefined;
  }
  return { node, parent, opaque: node?.kind === 'opaque' };
}

/**
 * Source offset of character `index` of a string's value. Cheap when the literal has no escapes;
 * otherwise walks the raw text once, stepping over each escape sequence.
 */
export function sourceOffset(node: StringNode, index: number): number {
  if (!node.raw.includes('\\') && !node.raw.includes('\r')) return node.contentStart + Math.min(index, node.raw.length);
  let raw = 0;
  let cooked = 0;
  while (raw < node.raw.length && cooked < index) {
    const ch = node.raw[raw];
    if (ch === '\\') {
      const next = node.raw[raw + 1];
      if (next === 'u' && node.raw[raw + 2] === '{') {
        const close = node.raw.indexOf('}', raw);
        const astral = parseInt(node.raw.slice(raw + 3, close), 16) > 0xffff;
        raw = close + 1;
        cooked += astral ? 2 : 1; // a surrogate pair in the cooked string
        continue;
      } else if (next === 'u') raw += 6;
      else if (next === 'x') raw += 4;
      else if (next === '\r' && node.raw[raw + 2] === '\n') {
        raw += 3;
        continue;
      } // line continuation: no cooked char
      else if (next === '\n' || next === '\u2028' || next === '\u2029') {
        raw += 2;
        continue;
      } else raw += 2;
    } else if (ch === '\r' && node.raw[raw + 1] === '\n') {
      raw += 2; // template literals cook CRLF to LF
    } else {
      raw += 1;
    }
    cooked += 1;
  }
  return node.contentStart + raw;
}
