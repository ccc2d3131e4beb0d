/**
 * Where the cursor is in the config, read from the TypeScript syntax tree (which the parser builds
 * even for half-typed text): the property path from the loop or config it belongs to, whether it
 * is on a key or a value, and the string literal it is inside, if any.
 */
import { configSchema, loopSchema } from '@skene/sdk';
import type TS from 'typescript';
import ts from './typescript.js';
import type { z } from 'zod';
import type { ConfigDocument } from '../analysis/document.js';
import { rootSchema } from '../analysis/schema-walk.js';
import type { Range } from '../analysis/values.js';

type Schema = z.ZodType;
export type Segment = string | number;

export interface Anchor {
  /** The schema of the expression the path starts from (a loop, a loop array or a config). */
  schema: Schema;
  /** That expression as plain data (literals only; what discriminated unions are resolved by). */
  plain: unknown;
  expression: TS.Expression;
}

export interface StringAtCursor {
  node: TS.StringLiteral | TS.NoSubstitutionTemplateLiteral | TS.TemplateLiteralLikeNode;
  /** Offset of the first character after the opening quote. */
  contentStart: number;
  /** Offset after the last content character (before the closing quote, or the line end when unterminated). */
  contentEnd: number;
  /** Raw source text of the content. */
  content: string;
  /** Cursor offset within `content`. */
  at: number;
}

export type CursorContext =
  | {
      kind: 'key';
      anchor: Anchor;
      /** Path of the object the key belongs to. */
      path: Segment[];
      object: TS.ObjectLiteralExpression;
      /** Keys the object already has, besides the one under the cursor. */
      present: string[];
      /** The key under the cursor (or half-typed there), and its span. */
      word: string;
      wordRange: Range;
    }
  | {
      kind: 'value';
      anchor: Anchor;
      /** Path of the value (its last segment is the key, or the array index). */
      path: Segment[];
      /** The literal the cursor is inside, when it is inside one. */
      string?: StringAtCursor;
      /** The bare word at the cursor (an identifier, a number, a keyword), when not in a string. */
      word: string;
      wordRange: Range;
      /** The innermost syntax node the cursor is on. */
      node: TS.Node;
    };

/**
 * Parents of the nodes `nodeAt` walked through. analysis/document.ts parses without parent
 * pointers (half the parse time of a large config); the services climb from the cursor, and every
 * node they climb through was reached from the root by `nodeAt`, which records its parent here.
 */
const parents = new WeakMap<TS.Node, TS.Node>();

export function parentOf(node: TS.Node): TS.Node | undefined {
  return parents.get(node) ?? node.parent;
}

/** Records `child`'s parent (for a node found by other means than `nodeAt`, e.g. a property's value). */
export function adopt(child: TS.Node, parent: TS.Node): void {
  parents.set(child, parent);
}

/** The innermost node whose span holds `offset` (its end included, so `ta|` finds `ta`; words win over punctuation). */
export function nodeAt(sourceFile: TS.SourceFile, offset: number): TS.Node {
  let node: TS.Node = sourceFile;
  outer: for (;;) {
    // Syntax lists (from getChildren) are not part of the tree: their items' parent is the list's owner.
    const owner = node.kind === ts.SyntaxKind.SyntaxList ? parentOf(node) ?? node : node;
    let touching: TS.Node | undefined;
    for (const child of node.getChildren(sourceFile)) {
      if (child.end <= child.pos || child.kind === ts.SyntaxKind.EndOfFileToken) continue; // missing nodes, empty lists
      const start = child.getStart(sourceFile);
      if (start > offset || offset > child.end) continue;
      if (start < offset && offset < child.end) {
        parents.set(child, owner);
        node = child;
        continue outer;
      }
      if (!touching || (isPunctuation(touching) && !isPunctuation(child))) touching = child;
    }
    if (!touching) return node;
    parents.set(touching, owner);
    node = touching;
  }
}

function isPunctuation(node: TS.Node): boolean {
  return node.kind >= ts.SyntaxKind.FirstPunctuation && node.kind <= ts.SyntaxKind.LastPunctuation;
}

function isStringish(node: TS.Node): node is TS.StringLiteral | TS.NoSubstitutionTemplateLiteral {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);
}

function unwrap(expr: TS.Expression): TS.Expression {
  while (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr) || ts.isTypeAssertionExpression(expr) || ts.isNonNullExpression(expr)) expr = expr.expression;
  return expr;
}

/** Climbs transparent wrappers (`( … )`, `as const`, `satisfies`) to the node that holds the expression. */
function holder(node: TS.Node): TS.Node | undefined {
  let parent = parentOf(node);
  while (parent && (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent) || ts.isTypeAssertionExpression(parent) || ts.isNonNullExpression(parent))) parent = parentOf(parent);
  return parent;
}

const WRAPPER_SCHEMAS: Record<string, Schema> = { defineLoop: loopSchema, defineConfig: configSchema };

/**
 * The path from an anchor (a `defineLoop`/`defineConfig` argument, the default export, or a
 * top-level const) to `node` (an object or array literal), or undefined when `node` is not config.
 */
export function pathTo(node: TS.Expression, sourceFile: TS.SourceFile): { anchor: Anchor; path: Segment[] } | undefined {
  const path: Segment[] = [];
  let current: TS.Node = node;
  for (;;) {
    const parent = holder(current);
    if (!parent) return undefined;
    if (ts.isPropertyAssignment(parent) && parent.initializer && unwrap(parent.initializer) === current) {
      const key = propertyKey(parent.name);
      if (key === undefined) return undefined;
      path.unshift(key);
      current = parentOf(parent)!; // the object literal
      continue;
    }
    if (ts.isArrayLiteralExpression(parent)) {
      path.unshift(elementIndex(parent, current));
      current = parent;
      continue;
    }
    if (ts.isSpreadElement(parent) || ts.isSpreadAssignment(parent)) return undefined;
    if (ts.isCallExpression(parent) && ts.isIdentifier(parent.expression) && WRAPPER_SCHEMAS[parent.expression.text] && parent.arguments[0] && unwrap(parent.arguments[0]) === current) {
      return narrow(current as TS.Expression, WRAPPER_SCHEMAS[parent.expression.text], path);
    }
    if (ts.isExportAssignment(parent) || (ts.isVariableDeclaration(parent) && isTopLevelConst(parent, sourceFile))) {
      const expr = current as TS.Expression;
      if (ts.isArrayLiteralExpression(expr)) return narrow(expr, rootSchema('loops'), path);
      if (ts.isObjectLiteralExpression(expr)) {
        const isConfig = expr.properties.some((p) => p.name && propertyKey(p.name) === 'loops');
        return narrow(expr, isConfig ? configSchema : loopSchema, path);
      }
      return undefined;
    }
    return undefined;
  }
}

/** A top-level const the default export uses (`const welcome = { … }; export default [welcome]`). */
/**
 * A path into a config's (or loop array's) loops starts from the loop itself: the anchor's plain
 * value is then one loop, not the whole file — completion stays fast in a 200-loop config.
 */
function narrow(expression: TS.Expression, schema: Schema, path: Segment[]): { anchor: Anchor; path: Segment[] } {
  let list: TS.Expression | undefined;
  let rest: Segment[] = path;
  if (schema === configSchema && path[0] === 'loops' && typeof path[1] === 'number' && ts.isObjectLiteralExpression(expression)) {
    const loops = expression.properties.find((p): p is TS.PropertyAssignment => ts.isPropertyAssignment(p) && propertyKey(p.name) === 'loops');
    list = loops ? unwrap(loops.initializer) : undefined;
    rest = path.slice(1);
  } else if (schema !== configSchema && schema !== loopSchema && typeof path[0] === 'number') {
    list = expression;
  }
  if (list && ts.isArrayLiteralExpression(list)) {
    const element = list.elements[rest[0] as number];
    const loop = element && !ts.isSpreadElement(element) ? unwrap(element) : undefined;
    if (loop && ts.isObjectLiteralExpression(loop)) return { anchor: anchorOf(loop, loopSchema), path: rest.slice(1) };
  }
  return { anchor: anchorOf(expression, schema), path };
}

function isTopLevelConst(decl: TS.VariableDeclaration, sourceFile: TS.SourceFile): boolean {
  const list = parentOf(decl);
  const statement = list && parentOf(list);
  if (!(list && statement && ts.isVariableDeclarationList(list) && ts.isVariableStatement(statement) && parentOf(statement) === sourceFile)) return false;
  if (!ts.isIdentifier(decl.name)) return false;
  const name = decl.name.text;
  const exported = sourceFile.statements.find((s): s is TS.ExportAssignment => ts.isExportAssignment(s) && !s.isExportEquals);
  if (!exported) return false;
  let used = false;
  const visit = (node: TS.Node, parent: TS.Node): void => {
    if (used) return;
    if (ts.isIdentifier(node) && node.text === name && !(ts.isPropertyAssignment(parent) && parent.name === node)) used = true;
    else node.forEachChild((child) => visit(child, node));
  };
  visit(exported.expression, exported);
  return used;
}

function anchorOf(expression: TS.Expression, schema: Schema): Anchor {
  let plain: unknown;
  let computed = false;
  return {
    schema,
    expression,
    get plain() {
      if (!computed) { plain = plainOf(expression); computed = true; }
      return plain;
    },
  };
}

/** Index of `element` among an array literal's elements (spreads and holes counted as written). */
function elementIndex(array: TS.ArrayLiteralExpression, element: TS.Node): number {
  const i = array.elements.findIndex((e) => e === element || unwrap(e) === element);
  return i === -1 ? array.elements.length : i;
}

export function propertyKey(name: TS.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  return undefined;
}

/** Literal parts of an expression as data; anything computed is undefined. */
export function plainOf(input: TS.Expression): unknown {
  const expr = unwrap(input);
  if (ts.isObjectLiteralExpression(expr)) {
    const out: Record<string, unknown> = {};
    for (const p of expr.properties) {
      if (ts.isPropertyAssignment(p)) {
        const key = propertyKey(p.name);
        if (key !== undefined) out[key] = plainOf(p.initializer);
      }
    }
    return out;
  }
  if (ts.isArrayLiteralExpression(expr)) return expr.elements.map((e) => (ts.isSpreadElement(e) || ts.isOmittedExpression(e) ? undefined : plainOf(e)));
  if (isStringish(expr)) return expr.text;
  if (ts.isNumericLiteral(expr)) return Number(expr.text);
  if (expr.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (expr.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (ts.isCallExpression(expr) && ts.isIdentifier(expr.expression) && WRAPPER_SCHEMAS[expr.expression.text] && expr.arguments[0]) return plainOf(expr.arguments[0]);
  return undefined;
}

function stringAtCursor(node: TS.StringLiteral | TS.NoSubstitutionTemplateLiteral, offset: number, sourceFile: TS.SourceFile): StringAtCursor | undefined {
  const start = node.getStart(sourceFile);
  const text = sourceFile.text;
  const quote = text[start];
  const closed = node.end - start >= 2 && text[node.end - 1] === quote && !(node as { isUnterminated?: boolean }).isUnterminated;
  const contentStart = start + 1;
  const contentEnd = closed ? node.end - 1 : node.end;
  if (offset < contentStart || offset > contentEnd) return undefined;
  return { node, contentStart, contentEnd, content: text.slice(contentStart, contentEnd), at: offset - contentStart };
}

/** The word (identifier characters) around `offset` in the document text. */
export function wordAround(text: string, offset: number, pattern = /[\w$]/): { word: string; range: Range } {
  let start = offset;
  let end = offset;
  while (start > 0 && pattern.test(text[start - 1])) start--;
  while (end < text.length && pattern.test(text[end])) end++;
  return { word: text.slice(start, offset), range: { start, end } };
}

/** Whether `offset` is inside a comment (comments are trivia before the token that follows them). */
export function inComment(sf: TS.SourceFile, node: TS.Node, offset: number): boolean {
  for (const child of node.getChildren(sf)) {
    if (child.pos > offset) break;
    const start = child.getStart(sf);
    if (offset > start) {
      if (child.kind === ts.SyntaxKind.SyntaxList && offset < child.end) return inComment(sf, child, offset);
      continue;
    }
    // Comments on the previous token's line are its trailing comments; the rest lead this token.
    const ranges = [...(ts.getTrailingCommentRanges(sf.text, child.pos) ?? []), ...(ts.getLeadingCommentRanges(sf.text, child.pos) ?? [])];
    return ranges.some((r) => r.pos < offset && (offset < r.end || (r.kind === ts.SyntaxKind.SingleLineCommentTrivia && offset === r.end)));
  }
  return false;
}

/** Reads where the cursor is. Undefined when it is outside any loop or config, or in a comment. */
export function cursorContext(doc: ConfigDocument, offset: number): CursorContext | undefined {
  const sf = doc.sourceFile;
  const node = nodeAt(sf, offset);
  if (inComment(sf, node, offset)) return undefined;

  // Inside a string literal: a value (or a quoted key).
  if (isStringish(node)) {
    const string = stringAtCursor(node, offset, sf);
    if (!string) return undefined; // before the opening quote or after the closing one
    {
      const parent = holder(node);
      if (parent && ts.isPropertyAssignment(parent) && parent.name === node) return keyContext(parent, node.text.slice(0, string.at), { start: string.contentStart, end: string.contentEnd }, sf);
      const at = valuePath(node, sf);
      if (at) return { kind: 'value', anchor: at.anchor, path: at.path, string, word: '', wordRange: { start: offset, end: offset }, node };
      return undefined;
    }
  }

  // On an identifier: a key being typed (`ta|`, shorthand), a key, or a bare value (`backoff: ex|`).
  if (ts.isIdentifier(node) || ts.isNumericLiteral(node) || node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword || node.kind === ts.SyntaxKind.NullKeyword) {
    const parent = parentOf(node)!;
    const { word, range } = wordAround(sf.text, offset);
    if ((ts.isPropertyAssignment(parent) && parent.name === node) || (ts.isShorthandPropertyAssignment(parent) && parent.name === node)) {
      return keyContext(parent, word, range, sf);
    }
    const at = valuePath(node as TS.Expression, sf);
    if (at) return { kind: 'value', anchor: at.anchor, path: at.path, word, wordRange: range, node };
  }

  // Between tokens: climb to the property (after its colon → its value), array or object around the cursor.
  for (let n: TS.Node | undefined = node; n; n = parentOf(n)) {
    if (ts.isPropertyAssignment(n)) {
      const colon = n.getChildren(sf).find((c) => c.kind === ts.SyntaxKind.ColonToken);
      if (colon && offset >= colon.end) {
        const owner = pathTo(parentOf(n) as TS.ObjectLiteralExpression, sf);
        const key = propertyKey(n.name);
        if (!owner || key === undefined) return undefined;
        return { kind: 'value', anchor: owner.anchor, path: [...owner.path, key], word: '', wordRange: { start: offset, end: offset }, node };
      }
      continue;
    }
    if (ts.isObjectLiteralExpression(n)) {
      if (offset <= n.getStart(sf) || (offset >= n.end && sf.text[n.end - 1] === '}')) continue;
      const owner = pathTo(n, sf);
      if (!owner) return undefined;
      // `event: |` with nothing typed yet: the property ends at its colon, the cursor is its value.
      const before = n.properties.filter((p) => p.end <= offset).at(-1);
      if (before && ts.isPropertyAssignment(before) && ts.isIdentifier(before.initializer) && before.initializer.text === '' && !sf.text.slice(before.end, offset).trim()) {
        const key = propertyKey(before.name);
        if (key !== undefined) return { kind: 'value', anchor: owner.anchor, path: [...owner.path, key], word: '', wordRange: { start: offset, end: offset }, node };
      }
      return {
        kind: 'key', anchor: owner.anchor, path: owner.path, object: n,
        present: presentKeys(n, undefined), word: '', wordRange: { start: offset, end: offset },
      };
    }
    if (ts.isArrayLiteralExpression(n)) {
      if (offset <= n.getStart(sf) || (offset >= n.end && sf.text[n.end - 1] === ']')) continue;
      const owner = pathTo(n, sf);
      if (!owner) return undefined;
      const index = n.elements.filter((e) => e.end <= offset).length;
      return { kind: 'value', anchor: owner.anchor, path: [...owner.path, index], word: '', wordRange: { start: offset, end: offset }, node };
    }
    if (ts.isCallExpression(n) || ts.isStatement(n)) break;
  }
  return undefined;
}

function keyContext(prop: TS.PropertyAssignment | TS.ShorthandPropertyAssignment, word: string, wordRange: Range, sf: TS.SourceFile): CursorContext | undefined {
  const object = parentOf(prop);
  if (!object || !ts.isObjectLiteralExpression(object)) return undefined;
  const owner = pathTo(object, sf);
  if (!owner) return undefined;
  return { kind: 'key', anchor: owner.anchor, path: owner.path, object, present: presentKeys(object, prop), word, wordRange };
}

function presentKeys(object: TS.ObjectLiteralExpression, except: TS.Node | undefined): string[] {
  const keys: string[] = [];
  for (const p of object.properties) {
    if (p === except || !p.name) continue;
    const key = propertyKey(p.name);
    if (key !== undefined) keys.push(key);
  }
  return keys;
}

/** Path of a value expression: the key of its property, or its index in an array. */
function valuePath(node: TS.Expression, sf: TS.SourceFile): { anchor: Anchor; path: Segment[] } | undefined {
  const parent = holder(node);
  if (!parent) return undefined;
  if (ts.isPropertyAssignment(parent) && parent.initializer && unwrap(parent.initializer) === node) {
    const owner = pathTo(parentOf(parent) as TS.ObjectLiteralExpression, sf);
    const key = propertyKey(parent.name);
    return owner && key !== undefined ? { anchor: owner.anchor, path: [...owner.path, key] } : undefined;
  }
  if (ts.isArrayLiteralExpression(parent)) {
    const owner = pathTo(parent, sf);
    return owner ? { anchor: owner.anchor, path: [...owner.path, elementIndex(parent, node)] } : undefined;
  }
  return undefined;
}

/**
 * What a node is in the config, for hover and go to definition: a key (path ends with it) or a
 * value (path of the value). Undefined outside any loop or config.
 */
export function roleOfNode(node: TS.Node, sf: TS.SourceFile): { kind: 'key' | 'value'; anchor: Anchor; path: Segment[] } | undefined {
  const parent = parentOf(node);
  if (parent && (ts.isPropertyAssignment(parent) || ts.isShorthandPropertyAssignment(parent)) && parent.name === node) {
    const object = parentOf(parent);
    const owner = object && ts.isObjectLiteralExpression(object) ? pathTo(object, sf) : undefined;
    const key = propertyKey(parent.name);
    return owner && key !== undefined ? { kind: 'key', anchor: owner.anchor, path: [...owner.path, key] } : undefined;
  }
  if (!ts.isExpression(node)) return undefined;
  const at = valuePath(node, sf);
  return at ? { kind: 'value', ...at } : undefined;
}
