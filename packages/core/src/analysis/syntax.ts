/**
 * The TypeScript syntax that analysis (./document.ts, top-down from the default export) and the
 * language services (../language/, climbing from the cursor) read alike: which wrappers are
 * transparent, which calls wrap a loop or a config, what a property's key is, and the parents of
 * the nodes the services climb through.
 */
import { createRequire } from 'node:module';
import type TS from 'typescript';

/**
 * TypeScript, once loaded (`loadTypeScript`): every TypeScript node comes from a parse
 * (document.ts's `parseTypeScript`), which loads it first. A config read without TypeScript
 * (read-estree.ts) never loads it: `skene check` and the language server's first diagnostics
 * start without its 9 MB.
 */
export let ts: typeof TS;

/**
 * Loads TypeScript with require: importing its CommonJS bundle as an ES module makes Node scan the
 * whole file for export names first (~0.6 s of CPU). Types come from the type-only import `TS`.
 */
export function loadTypeScript(): typeof TS {
  return (ts ??= createRequire(import.meta.url)('typescript') as typeof TS);
}

type Transparent = TS.ParenthesizedExpression | TS.AsExpression | TS.SatisfiesExpression | TS.TypeAssertion | TS.NonNullExpression;

/** `( … )`, `as …`, `satisfies …`, `<T>…`, `…!`: wrappers that leave the value as it is. */
export function isTransparent(node: TS.Node): node is Transparent {
  return (
    ts.isParenthesizedExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isSatisfiesExpression(node) ||
    ts.isTypeAssertionExpression(node) ||
    ts.isNonNullExpression(node)
  );
}

/** The expression inside any transparent wrappers. */
export function unwrap(expr: TS.Expression): TS.Expression {
  while (isTransparent(expr)) expr = expr.expression;
  return expr;
}

/** The sdk's identity helpers: their first argument is the loop or config itself. */
export const WRAPPERS = ['defineLoop', 'defineConfig'] as const;
export type Wrapper = (typeof WRAPPERS)[number];

/** `defineLoop(x)` / `defineConfig(x)`: which helper, and `x`. */
export function wrapperCall(expr: TS.Node): { wrapper: Wrapper; argument: TS.Expression } | undefined {
  if (!ts.isCallExpression(expr) || !ts.isIdentifier(expr.expression) || !expr.arguments[0]) return undefined;
  const name = expr.expression.text;
  return (WRAPPERS as readonly string[]).includes(name) ? { wrapper: name as Wrapper, argument: expr.arguments[0] } : undefined;
}

/** A property's key when it is written literally (`key`, `'key'`, `0`); undefined when computed. */
export function propertyKey(name: TS.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  return undefined;
}

/**
 * Parents of the nodes `nodeAt` walked through. ./document.ts parses without parent pointers (half
 * the parse time of a large config); the services climb from the cursor, and every node they climb
 * through was reached from the root by `nodeAt`, which records its parent here.
 */
const parents = new WeakMap<TS.Node, TS.Node>();

export function parentOf(node: TS.Node): TS.Node | undefined {
  return parents.get(node) ?? node.parent;
}

/** Records `child`'s parent (for a node found by other means than `nodeAt`, e.g. a property's value). */
export function adopt(child: TS.Node, parent: TS.Node): void {
  parents.set(child, parent);
}

/** Climbs transparent wrappers to the node that holds the expression. */
export function holder(node: TS.Node): TS.Node | undefined {
  let parent = parentOf(node);
  while (parent && isTransparent(parent)) parent = parentOf(parent);
  return parent;
}

/** The innermost node whose span holds `offset` (its end included, so `ta|` finds `ta`; words win over punctuation). */
export function nodeAt(sourceFile: TS.SourceFile, offset: number): TS.Node {
  let node: TS.Node = sourceFile;
  outer: for (;;) {
    // Syntax lists (from getChildren) are not part of the tree: their items' parent is the list's owner.
    const owner = node.kind === ts.SyntaxKind.SyntaxList ? (parentOf(node) ?? node) : node;
    let touching: TS.Node | undefined;
    const children = node.getChildren(sourceFile);
    // Children do not overlap and their ends ascend (a node's JSDoc, listed first, lies in its
    // leading trivia): those before the first that ends at or after `offset` end before it, and
    // from the first whose span (trivia included) begins after it on, none starts before it. A
    // 200-loop config's loops array has 400 children: scanning them all, each start skipping its
    // trivia, took 18 µs of a warm lookup, against 3 µs (node-at.test.ts holds the two equal).
    for (let i = firstEndingAtOrAfter(children, offset); i < children.length && children[i].pos <= offset; i++) {
      const child = children[i];
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

/** The index of the first node whose end is at or after `offset` (`nodes.length` when none is). */
function firstEndingAtOrAfter(nodes: readonly TS.Node[], offset: number): number {
  let low = 0;
  let high = nodes.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (nodes[middle].end < offset) low = middle + 1;
    else high = middle;
  }
  return low;
}

function isPunctuation(node: TS.Node): boolean {
  return node.kind >= ts.SyntaxKind.FirstPunctuation && node.kind <= ts.SyntaxKind.LastPunctuation;
}
