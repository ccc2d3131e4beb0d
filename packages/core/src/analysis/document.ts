/**
 * Reads `skene.config.ts` with the TypeScript parser — parse only: no type check, no emit, and
 * never execution (opening a repository must not run its code). TypeScript 5.9 is pinned on
 * purpose: its `createSourceFile` API is stable, while typescript@7 (the native compiler) marks
 * its JS API unstable.
 */
import type TS from 'typescript';
import { LineMap } from './positions.js';
import { propertyKey, ts, unwrap, wrapperCall } from './syntax.js';
import type { ArrayNode, ObjectNode, PropertyNode, Range, ValueNode } from './values.js';
import { property } from './values.js';

export type ConfigShape = 'loop' | 'loops' | 'config';

export interface LoopEntry {
  /** 0-based position among the config's loops. */
  index: number;
  node: ValueNode;
}

export interface ConfigDocument {
  fileName: string;
  text: string;
  lines: LineMap;
  sourceFile: TS.SourceFile;
  /**
   * TypeScript's own syntax errors (unterminated strings, missing braces, …); `skeneOnly` marks one
   * that TypeScript beside the config would not show (a file too deeply nested for Skene to parse).
   */
  syntaxErrors: { range: Range; message: string; skeneOnly?: boolean }[];
  /** What the default export is; undefined when none was recognised. */
  shape: ConfigShape | undefined;
  /** The default export as data (a loop, an array of loops or a config object). */
  root: ValueNode | undefined;
  /** Where the default export is, for diagnostics about the file as a whole. */
  exportRange: Range | undefined;
  loops: LoopEntry[];
}

/** Deeper literals (or longer chains of consts) are left opaque: real configs nest about 8 deep. */
const MAX_DEPTH = 64;

export function parseConfigDocument(text: string, fileName = 'skene.config.ts'): ConfigDocument {
  // No parent pointers (setParentNodes false): analysis reads the tree top-down, and setting them
  // doubles the parse time of a large config. The language services track the parents they need.
  let sourceFile: TS.SourceFile;
  try {
    sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  } catch (error) {
    // TypeScript's recursive-descent parser overflows the stack on ~1,000 nested brackets.
    if (!(error instanceof RangeError)) throw error;
    const empty = ts.createSourceFile(fileName, '', ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const message = 'the file nests brackets too deeply to parse; a Skene config needs fewer than 100 levels';
    return {
      fileName,
      text,
      lines: new LineMap(text),
      sourceFile: empty,
      syntaxErrors: [{ range: { start: 0, end: Math.min(1, text.length) }, message, skeneOnly: true }],
      shape: undefined,
      root: undefined,
      exportRange: undefined,
      loops: [],
    };
  }
  const consts = collectConsts(sourceFile);
  constsBySource.set(sourceFile, consts);
  const syntaxErrors = parseDiagnostics(sourceFile);

  let root: ValueNode | undefined;
  let exportRange: Range | undefined;
  for (const statement of sourceFile.statements) {
    if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
      exportRange = rangeOf(statement, sourceFile);
      root = toValue(statement.expression, sourceFile, consts, 0, NO_CHAIN);
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      // `export { welcome as default }`
      const element = statement.exportClause.elements.find((e) => e.name.text === 'default');
      const local = element ? (element.propertyName ?? element.name) : undefined;
      if (local && ts.isIdentifier(local) && consts.has(local.text)) {
        exportRange = rangeOf(statement, sourceFile);
        root = toValue(consts.get(local.text)!, sourceFile, consts, 0, new Set([local.text]));
      }
    }
  }

  const shape = root ? shapeOf(root) : undefined;
  return { fileName, text, lines: new LineMap(text), sourceFile, syntaxErrors, shape, root, exportRange, loops: loopsOf(root, shape) };
}

function shapeOf(root: ValueNode): ConfigShape | undefined {
  if (root.kind === 'array') return 'loops';
  if (root.kind === 'object') return property(root, 'loops') ? 'config' : 'loop';
  return undefined;
}

function loopsOf(root: ValueNode | undefined, shape: ConfigShape | undefined): LoopEntry[] {
  if (!root || !shape) return [];
  if (shape === 'loop') return [{ index: 0, node: root }];
  const list = shape === 'loops' ? root : property(root, 'loops')?.value;
  return list?.kind === 'array' ? list.items.map((node, index) => ({ index, node })) : [];
}

function parseDiagnostics(sourceFile: TS.SourceFile): { range: Range; message: string }[] {
  // `parseDiagnostics` is how the compiler itself reads syntax errors of a parsed file.
  const diagnostics = (sourceFile as unknown as { parseDiagnostics?: TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  return diagnostics.map((d) => ({
    range: { start: d.start, end: d.start + Math.max(d.length, 1) },
    message: ts.flattenDiagnosticMessageText(d.messageText, ' '),
  }));
}

const constsBySource = new WeakMap<TS.SourceFile, Map<string, TS.Expression>>();

/**
 * Any expression of a parsed config as a value tree, read exactly as the default export is (consts,
 * spreads, negative numbers, `null`, `defineLoop(…)`): the language services read the loop or
 * config around the cursor with it, so completion resolves a union as the diagnostics do.
 */
export function expressionValue(expression: TS.Expression, sourceFile: TS.SourceFile): ValueNode {
  let consts = constsBySource.get(sourceFile);
  if (!consts) constsBySource.set(sourceFile, (consts = collectConsts(sourceFile)));
  return toValue(expression, sourceFile, consts, 0, NO_CHAIN);
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

/** The consts being resolved on the way here: `const l = [...l]` must not resolve forever. */
type Chain = ReadonlySet<string>;
const NO_CHAIN: Chain = new Set();

function toValue(input: TS.Expression, sf: TS.SourceFile, consts: Map<string, TS.Expression>, depth: number, chain: Chain): ValueNode {
  const expr = unwrap(input);
  const range = rangeOf(expr, sf);
  if (depth > MAX_DEPTH) return { kind: 'opaque', range, text: expr.getText(sf) };

  if (ts.isObjectLiteralExpression(expr)) return objectValue(expr, sf, consts, depth, chain);
  if (ts.isArrayLiteralExpression(expr)) return arrayValue(expr, sf, consts, depth, chain);
  if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) {
    const contentStart = range.start + 1;
    // A literal cut off by the end of the file has no closing quote.
    const closed = range.end - range.start >= 2 && sf.text[range.end - 1] === sf.text[range.start];
    const raw = sf.text.slice(contentStart, closed ? range.end - 1 : range.end);
    return { kind: 'string', range, value: expr.text, contentStart, raw };
  }
  if (ts.isNumericLiteral(expr)) return { kind: 'number', range, value: Number(expr.text) };
  if (ts.isPrefixUnaryExpression(expr) && expr.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(expr.operand)) {
    return { kind: 'number', range, value: -Number(expr.operand.text) };
  }
  if (expr.kind === ts.SyntaxKind.TrueKeyword) return { kind: 'boolean', range, value: true };
  if (expr.kind === ts.SyntaxKind.FalseKeyword) return { kind: 'boolean', range, value: false };
  if (expr.kind === ts.SyntaxKind.NullKeyword) return { kind: 'null', range };
  const call = wrapperCall(expr);
  if (call) return toValue(call.argument, sf, consts, depth + 1, chain);
  if (ts.isIdentifier(expr)) {
    if (chain.has(expr.text)) return { kind: 'opaque', range, text: expr.text, cyclic: true };
    const target = consts.get(expr.text);
    if (target) return toValue(target, sf, consts, depth + 1, new Set(chain).add(expr.text));
  }
  return { kind: 'opaque', range, text: expr.getText(sf) };
}

function objectValue(expr: TS.ObjectLiteralExpression, sf: TS.SourceFile, consts: Map<string, TS.Expression>, depth: number, chain: Chain): ObjectNode {
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
        value: missing ? undefined : toValue(member.initializer, sf, consts, depth + 1, chain),
      });
    } else if (ts.isShorthandPropertyAssignment(member)) {
      const target = chain.has(member.name.text) ? undefined : consts.get(member.name.text);
      properties.push({
        key: member.name.text,
        keyRange: rangeOf(member.name, sf),
        range: rangeOf(member, sf),
        value: target
          ? toValue(target, sf, consts, depth + 1, new Set(chain).add(member.name.text))
          : { kind: 'opaque', range: rangeOf(member, sf), text: member.name.text },
      });
    } else if (ts.isSpreadAssignment(member)) {
      const spread = toValue(member.expression, sf, consts, depth + 1, chain);
      if (spread.kind === 'object') properties.push(...spread.properties);
    }
  }
  return { kind: 'object', range: rangeOf(expr, sf), properties: lastKeyWins(properties) };
}

/** As in JavaScript, a later key wins: `{ ...base, event: 'update' }` has base's other keys and this event. */
function lastKeyWins(properties: PropertyNode[]): PropertyNode[] {
  // Most objects have a few distinct keys: checked pairwise, without allocating.
  let duplicate = false;
  if (properties.length > 16) duplicate = new Set(properties.map((p) => p.key)).size !== properties.length;
  else for (let i = 1; i < properties.length && !duplicate; i++) for (let j = 0; j < i; j++) if (properties[i]!.key === properties[j]!.key) duplicate = true;
  if (!duplicate) return properties;
  const last = new Map(properties.map((p) => [p.key, p]));
  return properties.filter((p) => last.get(p.key) === p);
}

function arrayValue(expr: TS.ArrayLiteralExpression, sf: TS.SourceFile, consts: Map<string, TS.Expression>, depth: number, chain: Chain): ArrayNode {
  const items: ValueNode[] = [];
  for (const element of expr.elements) {
    if (ts.isOmittedExpression(element)) continue;
    if (ts.isSpreadElement(element)) {
      const spread = toValue(element.expression, sf, consts, depth + 1, chain);
      if (spread.kind === 'array') items.push(...spread.items);
      else items.push(spread);
      continue;
    }
    items.push(toValue(element, sf, consts, depth + 1, chain));
  }
  return { kind: 'array', range: rangeOf(expr, sf), items };
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
