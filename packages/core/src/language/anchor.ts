/**
 * Where a syntax node sits in the config: the anchor it belongs to (the loop, loop array or config
 * whose schema is known) and the property path from there. The anchor's value is read by analysis
 * (`expressionValue`), so the language services resolve unions exactly as the diagnostics do.
 */
import { configSchema, loopSchema } from '@skene/sdk';
import type TS from 'typescript';
import type { z } from 'zod';
import { documentOfTree, expressionValue } from '../analysis/document.js';
import { loopPlainAt } from '../analysis/schema-issues.js';
import { rootSchema } from '../analysis/schema-walk.js';
import { holder, parentOf, propertyKey, ts, unwrap, wrapperCall, type Wrapper } from '../analysis/syntax.js';
import { toPlain } from '../analysis/values.js';

type Schema = z.ZodType;
export type Segment = string | number;

export interface Anchor {
  /** The schema of the expression the path starts from (a loop, a loop array or a config). */
  schema: Schema;
  /**
   * That expression as plain data, read as analysis reads the default export (consts, spreads,
   * negative numbers, `null`; computed parts are `OPAQUE`): what discriminated unions are resolved by.
   */
  plain: unknown;
  expression: TS.Expression;
}

export interface Located {
  anchor: Anchor;
  path: Segment[];
}

const WRAPPER_SCHEMAS: Record<Wrapper, Schema> = { defineLoop: loopSchema, defineConfig: configSchema };

/**
 * The path from an anchor (a `defineLoop`/`defineConfig` argument, the default export, or a
 * top-level const) to `node` (an object or array literal), or undefined when `node` is not config.
 */
export function pathTo(node: TS.Expression, sourceFile: TS.SourceFile): Located | undefined {
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
    const call = wrapperCall(parent);
    if (call && unwrap(call.argument) === current) {
      return narrow({ expression: current as TS.Expression, schema: WRAPPER_SCHEMAS[call.wrapper], path, sourceFile });
    }
    if (ts.isExportAssignment(parent) || (ts.isVariableDeclaration(parent) && isTopLevelConst(parent, sourceFile))) {
      const expression = current as TS.Expression;
      if (ts.isArrayLiteralExpression(expression)) return narrow({ expression, schema: rootSchema('loops'), path, sourceFile });
      if (ts.isObjectLiteralExpression(expression)) {
        const isConfig = expression.properties.some((p) => p.name && propertyKey(p.name) === 'loops');
        return narrow({ expression, schema: isConfig ? configSchema : loopSchema, path, sourceFile });
      }
      return undefined;
    }
    return undefined;
  }
}

/**
 * A path into a config's (or loop array's) loops starts from the loop itself: the anchor's plain
 * value is then one loop, not the whole file — completion stays fast in a 200-loop config.
 */
function narrow(at: { expression: TS.Expression; schema: Schema; path: Segment[]; sourceFile: TS.SourceFile }): Located {
  const { expression, schema, path, sourceFile } = at;
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
    if (loop && ts.isObjectLiteralExpression(loop)) return { anchor: anchorOf(loop, loopSchema, sourceFile), path: rest.slice(1) };
  }
  return { anchor: anchorOf(expression, schema, sourceFile), path };
}

/** A top-level const the default export uses (`const welcome = { … }; export default [welcome]`). */
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

/** The anchor; its value is read on first use (key completion in a large config often needs none). */
function anchorOf(expression: TS.Expression, schema: Schema, sourceFile: TS.SourceFile): Anchor {
  let plain: unknown;
  let computed = false;
  return {
    schema,
    expression,
    get plain() {
      if (!computed) {
        plain = loopPlain(expression, sourceFile) ?? toPlain(expressionValue(expression, sourceFile));
        computed = true;
      }
      return plain;
    },
  };
}

/** A loop's plain value as validation keeps it (schema-issues.ts), instead of reading its tree again. */
function loopPlain(expression: TS.Expression, sourceFile: TS.SourceFile): unknown {
  const doc = documentOfTree(sourceFile);
  return doc && loopPlainAt(doc, { start: expression.getStart(sourceFile), end: expression.end })?.plain;
}

/** Index of `element` among an array literal's elements (spreads and holes counted as written). */
export function elementIndex(array: TS.ArrayLiteralExpression, element: TS.Node): number {
  const { elements } = array;
  const holds = (e: TS.Expression) => e === element || unwrap(e) === element;
  // Elements lie in order: the one around `element` is found in a few steps, not by reading all
  // 200 loops of a config (each a cache miss once the editor has been idle).
  let low = 0;
  let high = elements.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const e = elements[mid]!;
    if (e.end < element.end) low = mid + 1;
    else if (e.pos > element.pos) high = mid - 1;
    else return holds(e) ? mid : linearIndex(elements, holds);
  }
  return linearIndex(elements, holds);
}

function linearIndex(elements: TS.NodeArray<TS.Expression>, holds: (e: TS.Expression) => boolean): number {
  const i = elements.findIndex(holds);
  return i === -1 ? elements.length : i;
}

/** Path of a value expression: the key of its property, or its index in an array. */
export function valuePath(node: TS.Expression, sf: TS.SourceFile): Located | undefined {
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
export function roleOfNode(node: TS.Node, sf: TS.SourceFile): ({ kind: 'key' | 'value' } & Located) | undefined {
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
