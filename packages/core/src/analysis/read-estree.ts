/**
 * A config's first reading without TypeScript (issue 17: cold starts). Most configs are plain
 * JavaScript in a `.ts` file: Acorn, a JavaScript parser a fifteenth of TypeScript's size, reads
 * them, and the values are read from its tree (ESTree) as read-values.ts reads TypeScript's, with
 * the same semantics (value-reading.ts). `skene check` and the language server's first
 * diagnostics then never load TypeScript; the editor's services parse with TypeScript later.
 *
 * It declines (undefined: TypeScript reads the file) whatever it cannot vouch for, so that a file
 * it reads is one TypeScript parses without a syntax error into the same values — a property test
 * holds the two readers equal: what Acorn rejects or javascript-parser.ts's guards decline
 * (TypeScript syntax, syntax errors, what the two parsers read differently); and here, a computed
 * key (`['a']: 1`), a key written as a number in any form but its plain decimal digits, a number
 * in hexadecimal, octal or binary beyond 2^53 (the two round it differently), an optional call
 * (`defineLoop?.(…)`): rare in configs, and read as TypeScript reads them only with more care
 * than they are worth here.
 */
import type { Expression, Literal, Node, ObjectExpression, Program, Property, SpreadElement } from 'acorn';
import { DECLINED, parseJavaScriptModule } from './javascript-parser.js';
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
import { WRAPPERS } from './syntax.js';
import type { ArrayNode, ObjectNode, PropertyNode, Range, ValueNode } from './values.js';

/** The default export of a config as values, and where the export is; undefined where TypeScript must read it. */
export function readDefaultExportAsJavaScript(text: string): { root: ValueNode | undefined; exportRange: Range | undefined } | undefined {
  try {
    return readProgram(parseJavaScriptModule(text), text);
  } catch {
    // Declined, a syntax error, a stack overflow, or anything else: TypeScript's reading is the reference.
    return undefined;
  }
}

/**
 * An object literal read alone (incremental.ts: an edited loop) from `text`, which is
 * `export default (<object>)` with the object at `objectStart`: its values, read from the depth the
 * file's reading met it at. Undefined when the text is not that, when reading it needs the file's
 * consts, or when this reader declines it (as it declines deep nesting, the file around the loop
 * does not overflow TypeScript's parser either).
 */
export function readObjectAloneAsJavaScript(input: { text: string; objectStart: number; depth: number }): ValueNode | undefined {
  const { text } = input;
  try {
    const program = parseJavaScriptModule(text);
    const statement = program.body.length === 1 ? program.body[0] : undefined;
    if (statement?.type !== 'ExportDefaultDeclaration') return undefined;
    const object = statement.declaration;
    // The parentheses are gone from Acorn's tree: the object must span exactly what they hold.
    if (object.type !== 'ObjectExpression' || object.start !== input.objectStart || object.end !== text.length - 1) return undefined;
    const reading: Reading = { ...newReading(NO_CONSTS), text };
    const value = toValue(object, reading, input.depth, NO_CHAIN);
    return reading.usedConsts || reading.cut ? undefined : value;
  } catch {
    return undefined; // as above: TypeScript reads it
  }
}

const NO_CONSTS: ReadonlyMap<string, Expression> = new Map();

/** A reading of Acorn's tree: the text its nodes' ranges index. */
interface Reading extends ValueReading<Expression> {
  text: string;
}

function readProgram(program: Program, text: string): { root: ValueNode | undefined; exportRange: Range | undefined } {
  const consts = collectConsts(program);
  const reading: Reading = { ...newReading(consts), text };
  let root: ValueNode | undefined;
  let exportRange: Range | undefined;
  for (const statement of program.body) {
    if (statement.type === 'ExportDefaultDeclaration') {
      // `export default function …` and `export default class …` are declarations, not a value.
      const declaration = statement.declaration;
      if (declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') continue;
      exportRange = rangeOf(statement);
      root = toValue(declaration, reading, 0, NO_CHAIN);
    } else if (statement.type === 'ExportNamedDeclaration' && !statement.source) {
      // `export { welcome as default }`
      const element = statement.specifiers.find((s) => nameOf(s.exported) === 'default');
      const local = element?.local;
      if (local?.type === 'Identifier' && consts.has(local.name)) {
        exportRange = rangeOf(statement);
        resolve(reading, local.name);
        root = toValue(consts.get(local.name)!, reading, 0, new Set([local.name]));
      }
    }
  }
  if (root) finishReading(root, reading);
  return { root, exportRange };
}

function nameOf(name: Node & { type: string; name?: string; value?: unknown }): string | undefined {
  return name.type === 'Identifier' ? name.name : typeof name.value === 'string' ? name.value : undefined;
}

/** Top-level `const name = <expr>` (also exported), so `export default [welcome, reengage]` resolves. */
function collectConsts(program: Program): Map<string, Expression> {
  const consts = new Map<string, Expression>();
  for (const statement of program.body) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
    if (declaration?.type !== 'VariableDeclaration' || declaration.kind !== 'const') continue;
    for (const declarator of declaration.declarations) {
      if (declarator.id.type === 'Identifier' && declarator.init) consts.set(declarator.id.name, declarator.init);
    }
  }
  return consts;
}

function rangeOf(node: Node): Range {
  return { start: node.start, end: node.end };
}

function opaque(node: Node, reading: Reading): ValueNode {
  return { kind: 'opaque', range: rangeOf(node), text: reading.text.slice(node.start, node.end) };
}

function toValue(expr: Expression | SpreadElement, reading: Reading, depth: number, chain: Chain): ValueNode {
  if (pastLimits(reading, depth)) return opaque(expr, reading);
  switch (expr.type) {
    case 'ObjectExpression':
      return recordDepth(objectValue(expr, reading, depth, chain), depth);
    case 'ArrayExpression': {
      const items: ValueNode[] = [];
      for (const element of expr.elements) {
        if (!element) continue; // a hole: `[a, , b]`
        if (element.type === 'SpreadElement') {
          const spread = toValue(element.argument, reading, depth + 1, chain);
          if (spread.kind === 'array') items.push(...spread.items);
          else items.push(spread);
          continue;
        }
        items.push(toValue(element, reading, depth + 1, chain));
      }
      return { kind: 'array', range: rangeOf(expr), items } satisfies ArrayNode;
    }
    case 'Literal': {
      const value = expr.value;
      if (typeof value === 'string') return stringNode(reading.text, rangeOf(expr), value);
      if (typeof value === 'number') return { kind: 'number', range: rangeOf(expr), value: numberOf(expr) };
      if (typeof value === 'boolean') return { kind: 'boolean', range: rangeOf(expr), value };
      if (value === null && !('regex' in expr) && !('bigint' in expr)) return { kind: 'null', range: rangeOf(expr) };
      return opaque(expr, reading);
    }
    case 'TemplateLiteral': {
      const quasi = expr.quasis[0];
      if (expr.expressions.length === 0 && quasi && typeof quasi.value.cooked === 'string') return stringNode(reading.text, rangeOf(expr), quasi.value.cooked);
      return opaque(expr, reading);
    }
    case 'UnaryExpression': {
      const operand = expr.argument;
      // `-(1)` is not a negative number to TypeScript: its operand is the parenthesis.
      if (expr.operator === '-' && operand.type === 'Literal' && typeof operand.value === 'number' && operand.end === expr.end) {
        return { kind: 'number', range: rangeOf(expr), value: -numberOf(operand) };
      }
      return opaque(expr, reading);
    }
    case 'CallExpression': {
      const callee = expr.callee;
      const argument = expr.arguments[0];
      // `(defineLoop)(…)` is not a wrapper to TypeScript: its callee is the parenthesis.
      if (callee.type === 'Identifier' && callee.start === expr.start && argument && (WRAPPERS as readonly string[]).includes(callee.name)) {
        return toValue(argument, reading, depth + 1, chain);
      }
      return opaque(expr, reading);
    }
    case 'ChainExpression':
      // `defineLoop?.(…)` is a wrapper to TypeScript, `a?.b` is opaque to both.
      if (expr.expression.type === 'CallExpression') throw DECLINED;
      return opaque(expr, reading);
    case 'Identifier': {
      if (chain.has(expr.name)) return { kind: 'opaque', range: rangeOf(expr), text: expr.name, cyclic: true };
      reading.usedConsts = true;
      const target = reading.consts.get(expr.name);
      if (target) {
        resolve(reading, expr.name);
        return toValue(target, reading, depth + 1, new Set(chain).add(expr.name));
      }
      return opaque(expr, reading);
    }
    default:
      return opaque(expr, reading);
  }
}

function objectValue(expr: ObjectExpression, reading: Reading, depth: number, chain: Chain): ObjectNode {
  const properties: PropertyNode[] = [];
  for (const member of expr.properties) {
    if (member.type === 'SpreadElement') {
      const spread = toValue(member.argument, reading, depth + 1, chain);
      if (spread.kind === 'object') properties.push(...spread.properties);
      continue;
    }
    // Methods and accessors are not values (TypeScript's reader skips them too).
    if (member.kind !== 'init' || member.method) continue;
    if (member.shorthand) {
      properties.push(shorthand(member, reading, depth, chain));
      continue;
    }
    const key = keyOf(member);
    properties.push({
      key,
      keyRange: rangeOf(member.key),
      range: { start: member.key.start, end: member.end },
      value: toValue(member.value as Expression, reading, depth + 1, chain),
    });
  }
  return { kind: 'object', range: rangeOf(expr), properties: lastKeyWins(properties) };
}

/** `{ welcome }`: the const of that name, read there. */
function shorthand(member: Property, reading: Reading, depth: number, chain: Chain): PropertyNode {
  const name = (member.key as { name: string }).name;
  reading.usedConsts = true;
  const target = chain.has(name) ? undefined : reading.consts.get(name);
  if (target) resolve(reading, name);
  return {
    key: name,
    keyRange: rangeOf(member.key),
    range: rangeOf(member),
    value: target ? toValue(target, reading, depth + 1, new Set(chain).add(name)) : { kind: 'opaque', range: rangeOf(member), text: name },
  };
}

/** A number literal's value, where Acorn and TypeScript agree on it. */
function numberOf(literal: Literal): number {
  const value = literal.value as number;
  // Acorn sums hexadecimal, octal and binary digits in floating point, TypeScript rounds once.
  if (Math.abs(value) > Number.MAX_SAFE_INTEGER && /^0[xob]/i.test(literal.raw ?? '')) throw DECLINED;
  return value;
}

/** A literal key as TypeScript names it; computed keys and numbers written other than as plain digits decline. */
function keyOf(member: Property): string {
  if (member.computed) throw DECLINED;
  const key = member.key;
  if (key.type === 'Identifier') return key.name;
  if (key.type === 'Literal') {
    if (typeof key.value === 'string') return key.value;
    if (typeof key.value === 'number' && key.raw === String(key.value)) return key.raw;
  }
  throw DECLINED;
}
