/**
 * A config document after an edit, without parsing the whole file again (issue 17: diagnostics
 * after an edit). When the edit lies inside one loop's braces, only that loop's text is parsed
 * (its values then moved to where the loop is in the file), and the other loops' value trees are
 * kept (before the edit) or shifted (after it). Anything else is parsed whole: an edit outside
 * every loop or across a brace, a loop that names a const, a const read twice (`[l, { ...l }]`),
 * a syntax error before or after, nesting near the parser's limit. Either way the document is the
 * one parseConfigDocument gives (a property test holds them equal), and its TypeScript tree is
 * parsed whole when a language service first asks for it.
 */
import { documentOf, parseConfigDocument, parseTypeScript, type ConfigDocument } from './document.js';
import { readObjectAloneAsJavaScript } from './read-estree.js';
import { standaloneValue } from './read-values.js';
import { keepDepth, keepTreeReading, readDepth, readingCut, treeReading } from './value-reading.js';
import { sameValueAs } from './value-identity.js';
import type TS from 'typescript';
import { ts } from './syntax.js';
import type { ObjectNode, PropertyNode, Range, ValueNode } from './values.js';

/** The document of `text`, the previous version's edit read incrementally where it can be. */
export function reparseConfigDocument(previous: ConfigDocument, text: string): ConfigDocument {
  return updateDocument(previous, text) ?? parseConfigDocument(text, previous.fileName);
}

/** The edited document, or undefined when only a whole parse can tell. */
export function updateDocument(previous: ConfigDocument, text: string): ConfigDocument | undefined {
  // A reading cut by its limits stops where the whole file's count says, which a loop read alone cannot tell.
  if (previous.syntaxErrors.length > 0 || !previous.root || !previous.exportRange || readingCut(previous.root)) return undefined;
  const reading = treeReading(previous.root);
  if (reading === 'reread') return undefined;
  const change = changedSpan(previous.text, text);
  if (!change) return previous;
  // The edit must leave the loop's own braces alone: they are what the reparse starts and ends on.
  const loop = previous.loops.find(({ node }) => node.kind === 'object' && node.range.start < change.start && change.oldEnd < node.range.end)?.node;
  const depth = loop && readDepth(loop);
  if (!loop || depth === undefined) return undefined;
  const { fileName } = previous;
  const delta = text.length - previous.text.length;
  const replacement = reparseLoop({ text, range: { start: loop.range.start, end: loop.range.end + delta }, depth, fileName });
  const literal = reading === 'literal';
  const path = replacement && pathTo(previous.root, loop, literal);
  if (!replacement || !path) return undefined;
  const root = relocate(previous.root, { loop, replacement, path, delta, literal });
  const exportPlace = placeOf(previous.exportRange, loop.range);
  if (!root || exportPlace === 'overlaps') return undefined;
  keepTreeReading(previous.root, root); // the loop read again uses no const
  const exportRange = moveRange(previous.exportRange, exportPlace, delta);
  const doc = documentOf({
    fileName,
    text,
    syntaxErrors: [],
    root,
    exportRange,
  });
  fromLastVersion.add(doc);
  return doc;
}

const fromLastVersion = new WeakSet<ConfigDocument>();

/** Whether the document is an edited version read from the last one (its other loops kept or moved). */
export function readFromLastVersion(doc: ConfigDocument): boolean {
  return fromLastVersion.has(doc);
}

/** The span the edit replaced, in the old text (`start`, `oldEnd`): the text between the common prefix and suffix. */
function changedSpan(before: string, after: string): { start: number; oldEnd: number } | undefined {
  if (before === after) return undefined;
  const shorter = Math.min(before.length, after.length);
  // Whole chunks compare as strings (at memory speed), the last few characters one by one.
  let start = 0;
  while (start + CHUNK <= shorter && before.slice(start, start + CHUNK) === after.slice(start, start + CHUNK)) start += CHUNK;
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let suffix = 0;
  const limit = shorter - start;
  while (
    suffix + CHUNK <= limit &&
    before.slice(before.length - suffix - CHUNK, before.length - suffix) === after.slice(after.length - suffix - CHUNK, after.length - suffix)
  )
    suffix += CHUNK;
  while (suffix < limit && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { start, oldEnd: before.length - suffix };
}

const CHUNK = 512;

/**
 * The loop's new text read alone, as `export default (loop)`: TypeScript reads the same tokens as
 * in the file. Undefined unless it is one object literal, without a syntax error, that reads
 * without the file's consts.
 */
function reparseLoop(input: { text: string; range: Range; depth: number; fileName: string }): ValueNode | undefined {
  const { text, range } = input;
  // A module, as the config is (it has its default export): `await` reads as it does there.
  const alone = LOOP_PREFIX + text.slice(range.start, range.end) + ')';
  // Without TypeScript where the JavaScript reader can (read-estree.ts): typing then never waits for TypeScript to load.
  const read = readObjectAloneAsJavaScript({ text: alone, objectStart: LOOP_PREFIX.length, depth: input.depth }) ?? readWithTypeScript(alone, input);
  // Read at LOOP_PREFIX's end: moved to where the loop is in the file.
  return read && shifted(read, range.start - LOOP_PREFIX.length);
}

/** The loop read alone by TypeScript, from `alone` (`export default (loop)`). */
function readWithTypeScript(alone: string, input: { depth: number; fileName: string }): ValueNode | undefined {
  let sf: TS.SourceFile;
  try {
    sf = parseTypeScript(alone, input.fileName);
  } catch {
    return undefined; // nested too deeply for the parser: the whole parse says so
  }
  if ((sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length) return undefined;
  const statement = sf.statements.length === 1 ? sf.statements[0] : undefined;
  if (!statement || !ts.isExportAssignment(statement) || !ts.isParenthesizedExpression(statement.expression)) return undefined;
  const object = statement.expression.expression;
  if (!ts.isObjectLiteralExpression(object) || object.getStart(sf) !== LOOP_PREFIX.length || object.end !== alone.length - 1) return undefined;
  // Near the parser's stack limit, the whole file (a few levels deeper) could fail where the loop
  // alone did not: nesting that deep is left to the whole parse.
  if (deeperThan(object, MAX_SYNTAX_DEPTH)) return undefined;
  return standaloneValue(object, sf, input.depth);
}

const LOOP_PREFIX = 'export default (';
/** Far below the ~1,000 nested brackets that overflow TypeScript's parser, far above a config's ~10. */
const MAX_SYNTAX_DEPTH = 200;

function deeperThan(node: TS.Node, levels: number): boolean {
  if (levels === 0) return true;
  return ts.forEachChild(node, (child) => deeperThan(child, levels - 1) || undefined) ?? false;
}

/**
 * The nodes holding the loop, from the root down (properties included), or undefined when it is
 * not in the tree. In a literal tree only nodes whose range holds the loop's can.
 */
function pathTo(root: ValueNode, loop: ValueNode, literal: boolean): Set<ValueNode | PropertyNode> | undefined {
  const path = new Set<ValueNode | PropertyNode>();
  const visit = (node: ValueNode): boolean => {
    if (node === loop) return true;
    if (literal && placeOf(node.range, loop.range) !== 'holds') return false;
    path.add(node);
    if (node.kind === 'array' && node.items.some(visit)) return true;
    if (node.kind === 'object') {
      for (const p of node.properties) {
        path.add(p);
        if (p.value && visit(p.value)) return true;
        path.delete(p);
      }
    }
    path.delete(node);
    return false;
  };
  return visit(root) ? path : undefined;
}

interface Relocation {
  loop: ValueNode;
  replacement: ValueNode;
  /** The loop's holders: the only nodes whose range may hold the loop's. */
  path: Set<ValueNode | PropertyNode>;
  delta: number;
  /** Every node's range lies within its parent's (no consts): a subtree is judged by its root. */
  literal: boolean;
}

/** Where a range lies from the edited loop's. */
type Place = 'before' | 'after' | 'holds' | 'overlaps';

function placeOf(range: Range, loop: Range): Place {
  if (range.end <= loop.start) return 'before';
  if (range.start >= loop.end) return 'after';
  return range.start <= loop.start && loop.end <= range.end ? 'holds' : 'overlaps';
}

/** A range after the edit: kept before the loop, shifted after it, stretched where it holds it. */
function moveRange(range: Range, place: Exclude<Place, 'overlaps'>, delta: number): Range {
  if (place === 'before' || delta === 0) return range;
  return place === 'after' ? shift(range, delta) : { start: range.start, end: range.end + delta };
}

/**
 * The tree with the loop replaced and every other range moved: kept before the loop, shifted after
 * it, stretched where it holds the loop. A node whose ranges did not move is kept as it is: all
 * of them before the loop, and after it too when the edit kept the text's length (a character
 * replaced, a word renamed to one as long), rather than a copy of half the file.
 * Undefined when a node other than the loop's holders overlaps it — a literal read twice
 * (`[loop, loop]`), whose other reading the edit changed too.
 */
function relocate(node: ValueNode, r: Relocation): ValueNode | undefined {
  if (node === r.loop) return r.replacement;
  const place = placeOf(node.range, r.loop.range);
  const moved = relocateAt(node, place, r);
  // Only moved, not holding the edited loop: the same value (schema-issues.ts reuses its results).
  if (moved && moved !== node && place !== 'holds') sameValueAs(node, moved);
  return moved;
}

function relocateAt(node: ValueNode, place: Place, r: Relocation): ValueNode | undefined {
  if (place === 'overlaps' || (place === 'holds' && !r.path.has(node))) return undefined;
  // Nodes read from consts have ranges anywhere in the file: then each is judged on its own.
  if (r.literal && place !== 'holds') return place === 'before' || r.delta === 0 ? node : shifted(node, r.delta);
  const range = moveRange(node.range, place, r.delta);
  if (node.kind === 'array') {
    const items = relocateAll(node.items, (item) => relocate(item, r));
    if (!items) return undefined;
    return range === node.range && items === node.items ? node : { kind: 'array', range, items };
  }
  if (node.kind === 'object') {
    const properties = relocateAll(node.properties, (p) => relocateProperty(p, r));
    if (!properties) return undefined;
    if (range === node.range && properties === node.properties) return node;
    const copy: ObjectNode = { kind: 'object', range, properties };
    keepDepth(node, copy);
    return copy;
  }
  if (range === node.range) return node;
  return node.kind === 'string' ? { ...node, range, contentStart: node.contentStart + (range.start - node.range.start) } : { ...node, range };
}

/** Each item relocated (the same array when none moved), or undefined when one cannot be. */
function relocateAll<T>(list: T[], relocateOne: (item: T) => T | undefined): T[] | undefined {
  let moved: T[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const next = relocateOne(list[i]!);
    if (!next) return undefined;
    if (next !== list[i] && !moved) moved = list.slice(0, i);
    moved?.push(next);
  }
  return moved ?? list;
}

function relocateProperty(p: PropertyNode, r: Relocation): PropertyNode | undefined {
  const loop = r.loop.range;
  const keyPlace = placeOf(p.keyRange, loop);
  const place = placeOf(p.range, loop);
  if (keyPlace === 'overlaps' || keyPlace === 'holds' || place === 'overlaps' || (place === 'holds' && !r.path.has(p))) return undefined;
  if (r.literal && place !== 'holds') return place === 'before' || r.delta === 0 ? p : movedProperty(p, r.delta);
  const value = p.value && relocate(p.value, r);
  if (p.value && !value) return undefined;
  const keyRange = moveRange(p.keyRange, keyPlace, r.delta);
  const range = moveRange(p.range, place, r.delta);
  return keyRange === p.keyRange && range === p.range && value === p.value ? p : { ...p, keyRange, range, value };
}

/** A property after the edit, shifted; its value the same value (a config key after `loops`: loop-results.ts compares them). */
function movedProperty(p: PropertyNode, delta: number): PropertyNode {
  const copy = shiftedProperty(p, delta);
  if (p.value && copy.value) sameValueAs(p.value, copy.value);
  return copy;
}

const shift = (range: Range, delta: number): Range => ({ start: range.start + delta, end: range.end + delta });

/** A copy of a subtree that lies wholly after the edit, every range shifted (written out: spreads cost more here). */
function shifted(node: ValueNode, delta: number): ValueNode {
  const range = shift(node.range, delta);
  switch (node.kind) {
    case 'object': {
      const properties: PropertyNode[] = new Array(node.properties.length);
      for (let i = 0; i < properties.length; i++) properties[i] = shiftedProperty(node.properties[i]!, delta);
      const copy: ObjectNode = { kind: 'object', range, properties };
      keepDepth(node, copy);
      return copy;
    }
    case 'array': {
      const items: ValueNode[] = new Array(node.items.length);
      for (let i = 0; i < items.length; i++) items[i] = shifted(node.items[i]!, delta);
      return { kind: 'array', range, items };
    }
    case 'string':
      return { kind: 'string', range, value: node.value, contentStart: node.contentStart + delta, raw: node.raw };
    case 'opaque':
      return node.cyclic ? { kind: 'opaque', range, text: node.text, cyclic: true } : { kind: 'opaque', range, text: node.text };
    case 'null':
      return { kind: 'null', range };
    default:
      return { kind: node.kind, range, value: node.value } as ValueNode;
  }
}

function shiftedProperty(p: PropertyNode, delta: number): PropertyNode {
  const copy: PropertyNode = { key: p.key, keyRange: shift(p.keyRange, delta), range: shift(p.range, delta), value: p.value && shifted(p.value, delta) };
  if (p.computed) copy.computed = true;
  return copy;
}
