/**
 * What reading a config's syntax into values (values.ts) means, whichever parser read it: the
 * TypeScript reader (read-values.ts) and the JavaScript one for a config's first reading
 * (read-estree.ts) share it, so both give the same tree — consts resolved and read once or more,
 * a later key winning, the depth limit, and what the incremental reader (incremental.ts) learns
 * of a tree: the depth each loop was met at, and whether a const was read twice.
 */
import type { ObjectNode, PropertyNode, Range, StringNode, ValueNode } from './values.js';

/** Deeper literals (or longer chains of consts) are left opaque: real configs nest about 8 deep. */
export const MAX_DEPTH = 64;

/**
 * The most values one reading reads; the rest are left opaque. Consts that each name the one before
 * twice (`const b = [a, a]; const c = [b, b]; …`) double the tree per line: without a bound, twenty
 * short lines kept a reader busy for seconds. A config of 200 loops has about 10,000.
 */
export const MAX_VALUES = 100_000;

/**
 * Counts one more value read at `depth`; true once the reading is past MAX_DEPTH or MAX_VALUES: the
 * value is then opaque, and the reading cut (what a part of the tree read alone would not be).
 */
export function pastLimits(reading: Reading<unknown>, depth: number): boolean {
  if (depth <= MAX_DEPTH && ++reading.values <= MAX_VALUES) return false;
  reading.cut = true;
  return true;
}

/** The consts being resolved on the way here: `const l = [...l]` must not resolve forever. */
export type Chain = ReadonlySet<string>;
export const NO_CHAIN: Chain = new Set();

/** One reading of a tree into values: the file's consts (by name, as the parser's nodes), and what the reading met on the way. */
export interface Reading<Expression> {
  consts: ReadonlyMap<string, Expression>;
  /** An identifier was looked up among the consts (found or not). */
  usedConsts: boolean;
  /** The consts read, and whether one was read twice. */
  resolved: Set<string>;
  rereadConst: boolean;
  /** Values read so far (MAX_VALUES). */
  values: number;
  /** A value was left opaque for MAX_DEPTH or MAX_VALUES. */
  cut: boolean;
}

export function newReading<Expression>(consts: ReadonlyMap<string, Expression>): Reading<Expression> {
  return { consts, usedConsts: false, resolved: new Set(), rereadConst: false, values: 0, cut: false };
}

export function resolve(reading: Reading<unknown>, name: string): void {
  if (reading.resolved.has(name)) reading.rereadConst = true;
  reading.resolved.add(name);
}

/**
 * How a tree was read (incremental.ts reads an edited loop alone only where the text it read was
 * read once): `literal`, without a const — each node's range lies within its parent's, so a
 * subtree wholly before or after an edit is judged by its root; `once`, each const read at most
 * once — ranges lie anywhere in the file, each judged on its own; `reread`, a const read twice
 * (`[loop, { ...loop }]`), where an edit of its text changes more than one place.
 */
export type TreeReading = 'literal' | 'once' | 'reread';
const readings = new WeakMap<ValueNode, TreeReading>();

const cutReadings = new WeakSet<ValueNode>();

/** Records how the default export `root` was read. */
export function finishReading(root: ValueNode, reading: Reading<unknown>): void {
  readings.set(root, reading.resolved.size === 0 ? 'literal' : reading.rereadConst ? 'reread' : 'once');
  if (reading.cut) cutReadings.add(root);
}

/**
 * Whether the reading of the default export `root` left a value opaque for its limits: a part of
 * it read alone (a loop) would read further, so it is not that part's reading.
 */
export function readingCut(root: ValueNode): boolean {
  return cutReadings.has(root);
}

export function treeReading(root: ValueNode): TreeReading {
  return readings.get(root) ?? 'reread';
}

export function keepTreeReading(from: ValueNode, to: ValueNode): void {
  readings.set(to, treeReading(from));
}

/**
 * The depth the reading met an object at, for the first few levels (where loops are): an edited
 * loop is read again from there. Kept for a node's copy too (`keepDepth`).
 */
const depths = new WeakMap<ValueNode, number>();
const RECORDED_DEPTH = 4;

export function recordDepth(object: ObjectNode, depth: number): ObjectNode {
  if (depth <= RECORDED_DEPTH) depths.set(object, depth);
  return object;
}

export function readDepth(node: ValueNode): number | undefined {
  return depths.get(node);
}

export function keepDepth(from: ValueNode, to: ValueNode): void {
  const depth = depths.get(from);
  if (depth !== undefined) depths.set(to, depth);
}

/** A string literal (quotes or a template without `${}`) whose value the parser decoded. */
export function stringNode(text: string, range: Range, value: string): StringNode {
  const contentStart = range.start + 1;
  // A literal cut off by the end of the file has no closing quote.
  const closed = range.end - range.start >= 2 && text[range.end - 1] === text[range.start];
  const raw = text.slice(contentStart, closed ? range.end - 1 : range.end);
  return { kind: 'string', range, value, contentStart, raw };
}

/** As in JavaScript, a later key wins: `{ ...base, event: 'update' }` has base's other keys and this event. */
export function lastKeyWins(properties: PropertyNode[]): PropertyNode[] {
  // Most objects have a few distinct keys: checked pairwise, without allocating.
  let duplicate = false;
  if (properties.length > 16) duplicate = new Set(properties.map((p) => p.key)).size !== properties.length;
  else for (let i = 1; i < properties.length && !duplicate; i++) for (let j = 0; j < i; j++) if (properties[i]!.key === properties[j]!.key) duplicate = true;
  if (!duplicate) return properties;
  const last = new Map(properties.map((p) => [p.key, p]));
  return properties.filter((p) => last.get(p.key) === p);
}
