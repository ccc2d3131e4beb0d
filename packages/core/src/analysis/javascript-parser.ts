/**
 * Acorn, guarded to parse only what TypeScript 5.9 parses the same way without a syntax error
 * (read-estree.ts reads a config from its tree only then). It throws DECLINED at the first thing
 * it cannot vouch for; TypeScript then reads the file. Each guard is a difference a review with
 * hostile input found between the two parsers:
 * - `<` (`<`, `<=`, `<<`, `<<=`): TypeScript reads `f<T>(x)` as a call with a type argument where
 *   JavaScript reads comparisons.
 * - A parenthesis that starts an expression, closed and followed by `{` or `:`: TypeScript tries
 *   it as an arrow function's parameters (`(x)\n{}`, `a ? b ? (c) : d => e : f`).
 * - `await`: a file without imports or exports is a script to TypeScript, and its second reading
 *   of top-level `await` differs from a module's in corners.
 * - A file without an import or an export (a script to TypeScript: nothing to read anyway).
 * - An identifier with characters beyond ASCII: Acorn's Unicode tables are newer than TypeScript's.
 * - A private name (`#x`): TypeScript forbids it in an optional chain.
 * - A regular expression: the two validate patterns differently.
 * - A `///` comment (TypeScript reads directives in them) and a JSDoc comment nesting brackets
 *   deeply (TypeScript parses the types in JSDoc, and overflows its stack on deep ones).
 * - Nesting past MAX_NESTING parser frames: far below where either parser overflows its stack
 *   (TypeScript's ~700 brackets), so that a file read here never overflows TypeScript's later.
 */
import { Parser, tokTypes as tt, type Program, type TokenType } from 'acorn';

/** Thrown to stop parsing: TypeScript reads this file. */
export const DECLINED = new Error('declined: TypeScript reads this file');

/** Parser frames (expressions, statements) open at once: a config nests about 10 values deep, ~4 frames each. */
const MAX_NESTING = 300;
/** Brackets open at once in a JSDoc comment. */
const MAX_JSDOC_NESTING = 20;

/** Before a `(` that is not an expression's start: a call's callee, a statement's keyword. */
const BEFORE_CALL_OR_KEYWORD = new Set<TokenType>([
  tt.name,
  tt.parenR,
  tt.bracketR,
  tt.string,
  tt.num,
  tt.backQuote,
  tt._if,
  tt._while,
  tt._for,
  tt._switch,
  tt._catch,
  tt._function,
  tt._super,
  tt._with,
]);

/** Acorn's parser methods a plugin may wrap (not in its type declarations). */
interface AcornInternals {
  type: TokenType;
  value: unknown;
  nextToken(): void;
  readRegexp(): void;
}

type Base = new (...args: never[]) => AcornInternals;

/** Acorn's recursive descent: every level of nesting passes through one of these. */
const RECURSIVE_METHODS = ['parseMaybeAssign', 'parseMaybeUnary', 'parseExprOp', 'parseExprAtom', 'parseStatement'] as const;

type RecursiveMethod = (this: AcornInternals & { depth: number }, ...args: unknown[]) => unknown;

/**
 * Wraps the prototype's method with the depth count. Fixed parameters, no rest arguments and
 * no closure per call: these run for every expression, and allocating there halved the
 * parser's speed.
 */
function countDepth(prototype: object, name: (typeof RECURSIVE_METHODS)[number]): void {
  const inner = (prototype as Record<string, RecursiveMethod>)[name]!;
  const counted: RecursiveMethod = function (a, b, c, d, e) {
    if (++this.depth > MAX_NESTING) throw DECLINED;
    try {
      return inner.call(this, a, b, c, d, e);
    } finally {
      this.depth--;
    }
  };
  Object.defineProperty(prototype, name, { configurable: true, writable: true, value: counted });
}

function guarded(AcornParser: typeof Parser): typeof Parser {
  const Base = AcornParser as unknown as Base;
  class GuardedParser extends Base {
    depth = 0;
    /** For each `(` open: whether it starts an expression. */
    parens: boolean[] = [];
    /** The token before: whether it was a `)` closing one that started an expression. */
    closedExpression = false;
    previousType: TokenType | undefined;
    previousValue: unknown;

    // Every token, the first included, is read by nextToken.
    override nextToken(): void {
      this.previousType = this.type;
      this.previousValue = this.value;
      super.nextToken();
      this.check();
    }

    check(): void {
      const { type, value } = this;
      if (this.closedExpression && (type === tt.braceL || type === tt.colon)) throw DECLINED;
      this.closedExpression = false;
      if (type === tt.parenL) {
        const call = this.previousType !== undefined && BEFORE_CALL_OR_KEYWORD.has(this.previousType) && this.previousValue !== 'async';
        this.parens.push(!call);
      } else if (type === tt.parenR) {
        this.closedExpression = this.parens.pop() ?? false;
      } else if (type === tt.name) {
        if (value === 'await' || !isAscii(value as string)) throw DECLINED;
      } else if (type === tt.privateId) {
        throw DECLINED;
      } else if ((type === tt.relational || type === tt.bitShift || type === tt.assign) && (value as string).startsWith('<')) {
        throw DECLINED;
      }
    }

    override readRegexp(): void {
      throw DECLINED;
    }
  }
  for (const name of RECURSIVE_METHODS) countDepth(GuardedParser.prototype, name);
  return GuardedParser as unknown as typeof Parser;
}

const ConfigParser = Parser.extend(guarded);

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** A comment's text (without its delimiters), and the character it starts with in the file (`/`, or `#` for a hashbang). */
function checkComment(block: boolean, text: string, opening: string | undefined): void {
  if (!block && opening === '/' && text.startsWith('/')) throw DECLINED;
  if (block && text.startsWith('*') && bracketDepth(text) > MAX_JSDOC_NESTING) throw DECLINED;
}

function bracketDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28 || c === 0x5b || c === 0x7b || c === 0x3c) deepest = Math.max(deepest, ++depth);
    else if (c === 0x29 || c === 0x5d || c === 0x7d || c === 0x3e) depth--;
  }
  return deepest;
}

/** The module's tree; throws DECLINED, or Acorn's SyntaxError, where TypeScript must read it. */
export function parseJavaScriptModule(text: string): Program {
  const program = ConfigParser.parse(text, {
    // ES2024, not 'latest': syntax newer than TypeScript 5.9 parses must not read here.
    ecmaVersion: 2024,
    sourceType: 'module',
    onComment: (block, comment, start) => checkComment(block, comment, text[start]),
  });
  if (!program.body.some((s) => s.type.startsWith('Import') || s.type.startsWith('Export'))) throw DECLINED;
  return program;
}
