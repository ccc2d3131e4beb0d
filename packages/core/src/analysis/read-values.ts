/**
 * TypeScript expressions read as values (values.ts): object and array literals, strings, numbers,
 * consts, spreads and `defineLoop(…)` wrappers, each value with its exact source range. The
 * document (document.ts) reads its default export with it, the language services the expression
 * around the cursor, and an edited loop is read again on its own (incremental.ts).
 */
import type TS from 'typescript';
import { propertyKey, ts, unwrap, wrapperCall } from './syntax.js';
import {
  finishReading,
  lastKeyWins,
  newReading,
  NO_CHAIN,
  pastLimits,
  recordDepth,
  resolve,
  stringNode,
  type Chain,
  type Reading as ValueReading,
} from './value-reading.js';
import type { ArrayNode, ObjectNode, PropertyNode, Range, ValueNode } from './values.js';

/** The default export of a parsed config as values, and where the export is. */
export function readDefaultExport(sourceFile: TS.SourceFile): { root: ValueNode | undefined; exportRange: Range | undefined } {
  const consts = constsOf(sourceFile);
  const reading = tsReading(sourceFile, consts);
  let root: ValueNode | undefined;
  let exportRange: Range | undefined;
  for (const statement of sourceFile.statements) {
    if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
      exportRange = rangeOf(statement, sourceFile);
      root = toValue(statement.expression, reading, 0, NO_CHAIN);
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      // `export { welcome as default }`
      const element = statement.exportClause.elements.find((e) => e.name.text === 'default');
      const local = element ? (element.propertyName ?? element.name) : undefined;
      if (local && ts.isIdentifier(local) && consts.has(local.text)) {
        exportRange = rangeOf(statement, sourceFile);
        resolve(reading, local.text);
        root = toValue(consts.get(local.text)!, reading, 0, new Set([local.text]));
      }
    }
  }
  if (root) finishReading(root, reading);
  return { root, exportRange };
}

/**
 * Any expression of a parsed config as a value tree, read exactly as the default export is (consts,
 * spreads, negative numbers, `null`, `defineLoop(…)`): the language services read the loop or
 * config around the cursor with it, so completion resolves a union as the diagnostics do.
 */
export function expressionValue(expression: TS.Expression, sourceFile: TS.SourceFile): ValueNode {
  return toValue(expression, tsReading(sourceFile, constsOf(sourceFile)), 0, NO_CHAIN);
}

/**
 * An object literal read on its own (incremental.ts: a loop reparsed alone), from the depth the
 * file's reading met it at (so both stop at MAX_DEPTH alike); undefined when reading it needed the
 * file's consts, which resolve against the whole file, or met the limits (the whole file's reading
 * then says where it stops).
 */
export function standaloneValue(expression: TS.Expression, sf: TS.SourceFile, depth: number): ValueNode | undefined {
  const reading = tsReading(sf, NO_CONSTS);
  const value = toValue(expression, reading, depth, NO_CHAIN);
  return reading.usedConsts || reading.cut ? undefined : value;
}

const constsBySource = new WeakMap<TS.SourceFile, Map<string, TS.Expression>>();

function constsOf(sourceFile: TS.SourceFile): Map<string, TS.Expression> {
  let consts = constsBySource.get(sourceFile);
  if (!consts) constsBySource.set(sourceFile, (consts = collectConsts(sourceFile)));
  return consts;
}

/** Top-level `const name = <expr>` (also exported), so `export default [welcome, reengage]` resolves. */
function collectConsts(sourceFile: TS.SourceFile): Map<string, TS.Expression> {
  const consts = new Map<string, TS.Expression>();
  for (const statement of sourceFile.statements) {
    if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
    for (const decl of statement.declarationList.declarations) {
      if (ts.isIdentifier(decl.name) && decl.initializer) consts.set(decl.name.text, decl.initializer);
    }
  }
  return consts;
}

function rangeOf(node: TS.Node, sourceFile: TS.SourceFile): Range {
  return { start: node.getStart(sourceFile), end: node.getEnd() };
}

const NO_CONSTS: ReadonlyMap<string, TS.Expression> = new Map();

/** A reading of TypeScript's tree: the source file its nodes' text and ranges come from. */
interface Reading extends ValueReading<TS.Expression> {
  sf: TS.SourceFile;
}

function tsReading(sf: TS.SourceFile, consts: ReadonlyMap<string, TS.Expression>): Reading {
  return { ...newReading(consts), sf };
}

function toValue(input: TS.Expression, reading: Reading, depth: number, chain: Chain): ValueNode {
  const { sf, consts } = reading;
  const expr = unwrap(input);
  const range = rangeOf(expr, sf);
  if (pastLimits(reading, depth)) return { kind: 'opaque', range, text: expr.getText(sf) };

  if (ts.isObjectLiteralExpression(expr)) return recordDepth(objectValue(expr, reading, depth, chain), depth);
  if (ts.isArrayLiteralExpression(expr)) return arrayValue(expr, reading, depth, chain);
  if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) return stringNode(sf.text, range, expr.text);
  if (ts.isNumericLiteral(expr)) return { kind: 'number', range, value: Number(expr.text) };
  if (ts.isPrefixUnaryExpression(expr) && expr.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(expr.operand)) {
    return { kind: 'number', range, value: -Number(expr.operand.text) };
  }
  if (expr.kind === ts.SyntaxKind.TrueKeyword) return { kind: 'boolean', range, value: true };
  if (expr.kind === ts.SyntaxKind.FalseKeyword) return { kind: 'boolean', range, value: false };
  if (expr.kind === ts.SyntaxKind.NullKeyword) return { kind: 'null', range };
  const call = wrapperCall(expr);
  if (call) return toValue(call.argument, reading, depth + 1, chain);
  if (ts.isIdentifier(expr)) {
    if (chain.has(expr.text)) return { kind: 'opaque', range, text: expr.text, cyclic: true };
    reading.usedConsts = true;
    const target = consts.get(expr.text);
    if (target) {
      resolve(reading, expr.text);
      return toValue(target, reading, depth + 1, new Set(chain).add(expr.text));
    }
  }
  return { kind: 'opaque', range, text: expr.getText(sf) };
}

function objectValue(expr: TS.ObjectLiteralExpression, reading: Reading, depth: number, chain: Chain): ObjectNode {
  const { sf, consts } = reading;
  const properties: PropertyNode[] = [];
  for (const member of expr.properties) {
    if (ts.isPropertyAssignment(member)) {
      const key = propertyName(member.name, sf);
      if (key === undefined) continue;
      if (ts.isComputedPropertyName(member.name) && !ts.isStringLiteral(unwrap(member.name.expression))) {
        // `[name]: value`: which key this is is known only at run time.
        properties.push({
          key,
          keyRange: rangeOf(member.name, sf),
          range: rangeOf(member, sf),
          value: { kind: 'opaque', range: rangeOf(member, sf), text: member.getText(sf) },
          computed: true,
        });
        continue;
      }
      const missing = ts.isIdentifier(member.initializer) && member.initializer.text === '';
      // The member starts where its name does: one trivia scan for both ranges.
      const start = member.name.getStart(sf);
      properties.push({
        key,
        keyRange: { start, end: member.name.getEnd() },
        range: { start, end: member.getEnd() },
        value: missing ? undefined : toValue(member.initializer, reading, depth + 1, chain),
      });
    } else if (ts.isShorthandPropertyAssignment(member)) {
      reading.usedConsts = true;
      const target = chain.has(member.name.text) ? undefined : consts.get(member.name.text);
      if (target) resolve(reading, member.name.text);
      properties.push({
        key: member.name.text,
        keyRange: rangeOf(member.name, sf),
        range: rangeOf(member, sf),
        value: target
          ? toValue(target, reading, depth + 1, new Set(chain).add(member.name.text))
          : { kind: 'opaque', range: rangeOf(member, sf), text: member.name.text },
      });
    } else if (ts.isSpreadAssignment(member)) {
      const spread = toValue(member.expression, reading, depth + 1, chain);
      if (spread.kind === 'object') properties.push(...spread.properties);
    }
  }
  return { kind: 'object', range: rangeOf(expr, sf), properties: lastKeyWins(properties) };
}

function arrayValue(expr: TS.ArrayLiteralExpression, reading: Reading, depth: number, chain: Chain): ArrayNode {
  const items: ValueNode[] = [];
  for (const element of expr.elements) {
    if (ts.isOmittedExpression(element)) continue;
    if (ts.isSpreadElement(element)) {
      const spread = toValue(element.expression, reading, depth + 1, chain);
      if (spread.kind === 'array') items.push(...spread.items);
      else items.push(spread);
      continue;
    }
    items.push(toValue(element, reading, depth + 1, chain));
  }
  return { kind: 'array', range: rangeOf(expr, reading.sf), items };
}

function propertyName(name: TS.PropertyName, sf: TS.SourceFile): string | undefined {
  const key = propertyKey(name);
  if (key !== undefined) return key;
  if (ts.isComputedPropertyName(name)) {
    const inner = unwrap(name.expression);
    if (ts.isStringLiteral(inner)) return inner.text;
  }
  return name.getText(sf) || undefined;
}
