/**
 * Where the cursor is in the config, read from the TypeScript syntax tree (which the parser builds
 * even for half-typed text): the property path from the loop or config it belongs to (./anchor.ts),
 * whether it is on a key or a value, and the string literal it is inside, if any.
 */
import type TS from 'typescript';
import type { ConfigDocument } from '../analysis/document.js';
import { holder, nodeAt, parentOf, propertyKey, ts } from '../analysis/syntax.js';
import type { Range } from '../analysis/values.js';
import { pathTo, valuePath, type Anchor, type Segment } from './anchor.js';

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

function isStringish(node: TS.Node): node is TS.StringLiteral | TS.NoSubstitutionTemplateLiteral {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);
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
      if (parent && ts.isPropertyAssignment(parent) && parent.name === node)
        return keyContext(parent, node.text.slice(0, string.at), { start: string.contentStart, end: string.contentEnd }, sf);
      const at = valuePath(node, sf);
      if (at) return { kind: 'value', anchor: at.anchor, path: at.path, string, word: '', wordRange: { start: offset, end: offset }, node };
      return undefined;
    }
  }

  // On an identifier: a key being typed (`ta|`, shorthand), a key, or a bare value (`backoff: ex|`).
  if (
    ts.isIdentifier(node) ||
    ts.isNumericLiteral(node) ||
    node.kind === ts.SyntaxKind.TrueKeyword ||
    node.kind === ts.SyntaxKind.FalseKeyword ||
    node.kind === ts.SyntaxKind.NullKeyword
  ) {
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
      if (
        before &&
        ts.isPropertyAssignment(before) &&
        ts.isIdentifier(before.initializer) &&
        before.initializer.text === '' &&
        !sf.text.slice(before.end, offset).trim()
      ) {
        const key = propertyKey(before.name);
        if (key !== undefined)
          return { kind: 'value', anchor: owner.anchor, path: [...owner.path, key], word: '', wordRange: { start: offset, end: offset }, node };
      }
      return {
        kind: 'key',
        anchor: owner.anchor,
        path: owner.path,
        object: n,
        present: presentKeys(n, undefined),
        word: '',
        wordRange: { start: offset, end: offset },
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

function keyContext(
  prop: TS.PropertyAssignment | TS.ShorthandPropertyAssignment,
  word: string,
  wordRange: Range,
  sf: TS.SourceFile,
): CursorContext | undefined {
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
