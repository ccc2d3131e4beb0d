/**
 * The static half of compiling a React Email template (the dynamic half is react-fill.ts): decides
 * on the template's own syntax tree whether its markup can depend on the props only through
 * "slots", and if so writes two extra exports for the bundle:
 *
 * - `__skeneSlots(props)`: the component's own statements, then the values of its slots (the
 *   expressions React would receive in those positions), computed by the template's own code;
 * - `__skeneSkeleton(values)`: the returned JSX with each slot replaced by `values[i]`.
 *
 * The component renders exactly `__skeneSkeleton(__skeneSlots(props))`, so only what React and
 * the library components do with a slot's value is left to prove (react-fill.ts renders the
 * skeleton with two sets of sentinels). This holds by construction only when:
 * - the default export is a plain function (not async, no `this`/`arguments`) whose body ends in
 *   its only `return`, of JSX, and has no other JSX;
 * - a slot is a JSX child `{…}` of an allowed element (plain text containers, or a library
 *   component that passes its children through), or the value of an allowed attribute (`alt`,
 *   `title`…; `href` on a link, checked per value): never a tag, an attribute name, a style, an
 *   event handler, `dangerouslySetInnerHTML`, a spread, `key` or `ref`;
 * - everything else in the returned JSX (tags, other attributes) is static: literals, object and
 *   array literals, and module constants holding such literals that nothing else in the file
 *   refers to (so no code can change them between emails).
 * Anything else is not compiled: every email renders with React, as before. A slot's value is
 * checked per email (react-fill.ts), so a conditional or a call in a slot is sound: whatever the
 * branch, the value lands in the same place, or that email renders with React.
 */
import { createRequire } from 'node:module';
import type TS from 'typescript';

let tsModule: typeof TS | undefined;
/** TypeScript, loaded on first use (it is large; most plans have no React template). */
function typescript(): typeof TS {
  return (tsModule ??= createRequire(import.meta.url)('typescript') as typeof TS);
}

export interface SlotInfo {
  /** Where the value lands: element text, or an attribute's value. */
  kind: 'text' | 'attribute';
  /** The attribute (for `attribute` slots). */
  attribute?: string;
  /** A URL attribute: each value must start with `https://`, `http://` or `mailto:`. */
  url: boolean;
}

export type ReactCompileAnalysis = { ok: true; source: string; slots: SlotInfo[] } | { ok: false; reason: string };

/** Library components whose children React Email passes straight into an element. */
const CHILD_COMPONENTS = new Set(['Text', 'Heading', 'Link', 'Button', 'Container', 'Section', 'Row', 'Column', 'Body']);
/** Library components' props that land unchanged in an attribute (`href` checked per value). */
const COMPONENT_ATTRIBUTES: Record<string, readonly string[]> = { Link: ['href', 'title'], Button: ['href', 'title'], Img: ['alt', 'title'] };
/** Every library component a static tag may name (their own behaviour on values is proven by sentinels). */
const LIBRARY = new Set([...CHILD_COMPONENTS, 'Html', 'Head', 'Preview', 'Hr', 'Img']);
/** Elements whose text children are plain, escaped text (not raw text, not a form value, not the document title). */
const TEXT_ELEMENTS = new Set('p span div td th h1 h2 h3 h4 h5 h6 a b strong i em u s small big li blockquote code font center sup sub mark'.split(' '));
/** Attributes whose value React writes escaped and unchanged. */
const PLAIN_ATTRIBUTES = new Set(['alt', 'title', 'id', 'lang', 'dir', 'width', 'height', 'align', 'valign']);
const URL_ATTRIBUTES = new Set(['href']);
const COMPONENTS_MODULE = '@react-email/components';

export const SLOTS_EXPORT = '__skeneSlots';
export const SKELETON_EXPORT = '__skeneSkeleton';

/**
 * A template's source read once: whether it compiles (`analysis`: when it does, `source` is the
 * template with the two exports appended), and the names it imports from
 * `@react-email/components` (`components`), when it does so only by name in import statements
 * (none with a default or namespace import, no other mention of the module), else undefined:
 * what components-barrel.ts may bundle the template from.
 */
export function readReactTemplate(source: string, fileName: string): { analysis: ReactCompileAnalysis; components: string[] | undefined } {
  const ts = typescript();
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, fileName.endsWith('.jsx') ? ts.ScriptKind.JSX : ts.ScriptKind.TSX);
  const imports = libraryImports(ts, sf);
  return { analysis: analyse({ ts, sf, source, fileName, imports: imports.names }), components: namedComponents(imports, source) };
}

function namedComponents(imports: LibraryImports, source: string): string[] | undefined {
  // Any other mention (an export … from, a require, an import()) might reach names not listed here.
  if (!imports.onlyByName || source.split(COMPONENTS_MODULE).length - 1 !== imports.statements) return undefined;
  return [...new Set(imports.names.values())];
}

function analyse(options: { ts: typeof TS; sf: TS.SourceFile; source: string; fileName: string; imports: Map<string, string> }): ReactCompileAnalysis {
  const { ts, sf, source, fileName, imports } = options;
  const no = (reason: string): ReactCompileAnalysis => ({ ok: false, reason });

  const component = defaultComponent(ts, sf);
  if (!component) return no('the default export is not a function declared in the template');
  if (component.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) || (ts.isFunctionDeclaration(component) && component.asteriskToken))
    return no('the component is async or a generator');
  if (component.parameters.length > 1) return no('the component takes more than one parameter');
  const body = component.body;
  if (!body) return no('the component has no body');
  let returned: TS.Expression;
  let statements: readonly TS.Statement[] = [];
  if (ts.isBlock(body)) {
    const last = body.statements[body.statements.length - 1];
    if (!last || !ts.isReturnStatement(last) || !last.expression) return no('the component does not end in `return <JSX>`');
    returned = last.expression;
    statements = body.statements.slice(0, -1);
  } else {
    returned = body as TS.Expression;
  }
  while (ts.isParenthesizedExpression(returned)) returned = returned.expression;
  if (!ts.isJsxElement(returned) && !ts.isJsxSelfClosingElement(returned) && !ts.isJsxFragment(returned)) return no('the component does not return JSX');

  // The function's own code: one return, no JSX outside it, nothing that reads `this` or `arguments`, no hooks.
  let problem: string | undefined;
  const scan = (node: TS.Node, nested: boolean): void => {
    if (problem) return;
    if (node === returned) return;
    if (ts.isJsxElement(node) || ts.isJsxSelfClosingElement(node) || ts.isJsxFragment(node)) problem = 'JSX outside the returned element';
    else if (!nested && ts.isReturnStatement(node)) problem = 'more than one `return`';
    else if (!nested && (node.kind === ts.SyntaxKind.ThisKeyword || (ts.isIdentifier(node) && node.text === 'arguments'))) problem = '`this` or `arguments`';
    else if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) problem = '`await` or `yield`';
    else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && /^use([A-Z]|$)/.test(node.expression.text)) problem = 'a hook';
    const inner = nested || ts.isFunctionLike(node) || ts.isClassLike(node);
    ts.forEachChild(node, (child) => scan(child, inner));
  };
  for (const s of statements) scan(s, false);
  for (const p of component.parameters) scan(p, false);
  if (problem) return no(problem);

  const declaredInside = new Set<string>();
  const collect = (node: TS.Node): void => {
    if (
      (ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isBindingElement(node) || ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) &&
      node.name &&
      ts.isIdentifier(node.name)
    )
      declaredInside.add(node.name.text);
    ts.forEachChild(node, collect);
  };
  collect(component);

  // The returned JSX: slots, and static structure.
  const slots: SlotInfo[] = [];
  const replacements: { start: number; end: number; index: number }[] = [];
  const structureRefs = new Set<TS.Identifier>();
  const moduleConsts = staticModuleConsts(ts, sf);
  const addSlot = (expression: TS.Expression, info: SlotInfo) => {
    replacements.push({ start: expression.getStart(sf), end: expression.getEnd(), index: slots.length });
    slots.push(info);
  };
  const isStatic = (e: TS.Expression): boolean => {
    if (ts.isParenthesizedExpression(e)) return isStatic(e.expression);
    if (ts.isStringLiteral(e) || ts.isNumericLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return true;
    if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword) return true;
    if (ts.isPrefixUnaryExpression(e)) return e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand);
    if (ts.isArrayLiteralExpression(e)) return e.elements.every((x) => !ts.isSpreadElement(x) && isStatic(x));
    if (ts.isObjectLiteralExpression(e))
      return e.properties.every((p) => ts.isPropertyAssignment(p) && !ts.isComputedPropertyName(p.name) && isStatic(p.initializer));
    if (ts.isIdentifier(e) && moduleConsts.has(e.text) && !declaredInside.has(e.text)) {
      structureRefs.add(e);
      return true;
    }
    if (ts.isPropertyAccessExpression(e)) return isStatic(e.expression);
    return false;
  };

  const walk = (node: TS.JsxChild | TS.JsxElement | TS.JsxSelfClosingElement | TS.JsxFragment, parent: { text: boolean }): void => {
    if (problem) return;
    if (ts.isJsxText(node)) return;
    if (ts.isJsxExpression(node)) {
      if (!node.expression) return; // a comment
      if (!parent.text) return void (problem = 'a `{…}` child where only static content is allowed');
      if (containsJsx(ts, node.expression)) return void (problem = 'JSX inside a `{…}` child');
      addSlot(node.expression, { kind: 'text', url: false });
      return;
    }
    if (ts.isJsxFragment(node)) {
      for (const child of node.children) walk(child, { text: false });
      return;
    }
    const opening = ts.isJsxElement(node) ? node.openingElement : node;
    const tag = opening.tagName;
    let name: string;
    let library = false;
    if (ts.isIdentifier(tag) && /^[a-z][a-z0-9]*$/.test(tag.text)) name = tag.text;
    else if (ts.isIdentifier(tag) && imports.has(tag.text) && !declaredInside.has(tag.text)) {
      name = imports.get(tag.text)!;
      library = true;
      if (!LIBRARY.has(name)) return void (problem = `<${tag.text}> is not a component whose handling of values is known`);
    } else return void (problem = `<${tag.getText(sf)}> is not an element or a known @react-email/components component`);
    if (opening.typeArguments?.length) return void (problem = 'type arguments on a tag');
    for (const attribute of opening.attributes.properties) {
      if (!ts.isJsxAttribute(attribute) || !ts.isIdentifier(attribute.name)) return void (problem = 'a spread or namespaced attribute');
      const attr = attribute.name.text;
      if (attr === 'ref' || attr === 'dangerouslySetInnerHTML' || /^on[A-Z]/.test(attr) || (library && name === 'Heading' && attr === 'as'))
        return void (problem = `the attribute ${attr}`);
      const init = attribute.initializer;
      if (!init || ts.isStringLiteral(init)) continue;
      if (!ts.isJsxExpression(init) || !init.expression) return void (problem = `the attribute ${attr}`);
      if (isStatic(init.expression)) continue;
      const allowed = library ? (COMPONENT_ATTRIBUTES[name] ?? []).includes(attr) : PLAIN_ATTRIBUTES.has(attr) || (URL_ATTRIBUTES.has(attr) && name === 'a');
      if (!allowed || attr === 'key' || containsJsx(ts, init.expression)) return void (problem = `a computed value in ${attr} on <${tag.getText(sf)}>`);
      addSlot(init.expression, { kind: 'attribute', attribute: attr, url: URL_ATTRIBUTES.has(attr) });
    }
    if (ts.isJsxElement(node)) {
      const text = library ? CHILD_COMPONENTS.has(name) : TEXT_ELEMENTS.has(name);
      for (const child of node.children) walk(child, { text });
    }
  };
  walk(returned, { text: false });
  if (problem) return no(problem);
  if (slots.length === 0) return no('nothing in the markup depends on the props');

  // A module constant in the structure must be referred to nowhere else: no code can change it.
  for (const name of new Set([...structureRefs].map((r) => r.text))) {
    if (!onlyStructureRefs(ts, sf, name, structureRefs, moduleConsts)) return no(`the constant ${name} is used elsewhere in the template`);
  }

  // The two exports, cut from the template's own text.
  const jsxStart = returned.getStart(sf);
  let skeleton = '';
  let at = jsxStart;
  for (const r of [...replacements].sort((a, b) => a.start - b.start)) {
    skeleton += source.slice(at, r.start) + `__skeneValues[${r.index}]`;
    at = r.end;
  }
  skeleton += source.slice(at, returned.getEnd());
  const param = component.parameters[0]?.getText(sf) ?? '';
  const order = [...replacements].sort((a, b) => a.index - b.index);
  const values = order.map((r) => `(${source.slice(r.start, r.end)})`).join(', ');
  const appended =
    `\n;export function ${SLOTS_EXPORT}(${param}) {\n${statements.map((s) => s.getText(sf)).join('\n')}\nreturn [${values}];\n}\n` +
    `export function ${SKELETON_EXPORT}(__skeneValues${fileName.endsWith('.jsx') ? '' : ': any[]'}) {\nreturn (${skeleton});\n}\n`;
  return { ok: true, source: source + appended, slots };
}

interface LibraryImports {
  /** Local name → exported name of each named value import from @react-email/components. */
  names: Map<string, string>;
  /** Import statements of the module (type-only ones included). */
  statements: number;
  /** No default or namespace import of it. */
  onlyByName: boolean;
}

function libraryImports(ts: typeof TS, sf: TS.SourceFile): LibraryImports {
  const imports: LibraryImports = { names: new Map(), statements: 0, onlyByName: true };
  for (const s of sf.statements) {
    if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier) || s.moduleSpecifier.text !== COMPONENTS_MODULE) continue;
    imports.statements++;
    const clause = s.importClause;
    if (clause?.isTypeOnly) continue;
    const bindings = clause?.namedBindings;
    if (clause?.name || (bindings && !ts.isNamedImports(bindings))) imports.onlyByName = false;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const e of bindings.elements) if (!e.isTypeOnly) imports.names.set(e.name.text, (e.propertyName ?? e.name).text);
  }
  return imports;
}

type ComponentFunction = TS.FunctionDeclaration | TS.FunctionExpression | TS.ArrowFunction;

/** The default export, when it is a function written in this file (directly, or a name for one). */
function defaultComponent(ts: typeof TS, sf: TS.SourceFile): ComponentFunction | undefined {
  let name: string | undefined;
  for (const s of sf.statements) {
    if (ts.isFunctionDeclaration(s) && s.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) return s;
    if (ts.isExportAssignment(s) && !s.isExportEquals) {
      const e = s.expression;
      if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return e;
      if (ts.isIdentifier(e)) name = e.text;
    }
  }
  if (!name) return undefined;
  for (const s of sf.statements) {
    if (ts.isFunctionDeclaration(s) && s.name?.text === name) return s;
    if (ts.isVariableStatement(s) && s.declarationList.flags & ts.NodeFlags.Const) {
      for (const d of s.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer)))
          return d.initializer;
      }
    }
  }
  return undefined;
}

/** Module-level `const`s initialised with literals (objects and arrays of them), by name. */
function staticModuleConsts(ts: typeof TS, sf: TS.SourceFile): Map<string, TS.VariableDeclaration> {
  const consts = new Map<string, TS.VariableDeclaration>();
  const literal = (e: TS.Expression): boolean => {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) return literal(e.expression);
    if (ts.isStringLiteral(e) || ts.isNumericLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return true;
    if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword) return true;
    if (ts.isPrefixUnaryExpression(e)) return e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand);
    if (ts.isArrayLiteralExpression(e)) return e.elements.every((x) => !ts.isSpreadElement(x) && literal(x));
    if (ts.isObjectLiteralExpression(e))
      return e.properties.every((p) => ts.isPropertyAssignment(p) && !ts.isComputedPropertyName(p.name) && literal(p.initializer));
    return false;
  };
  for (const s of sf.statements) {
    if (!ts.isVariableStatement(s) || !(s.declarationList.flags & ts.NodeFlags.Const)) continue;
    for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name) && d.initializer && literal(d.initializer)) consts.set(d.name.text, d);
  }
  return consts;
}

/** Whether every mention of `name` in the file is its declaration or one of the structure's references. */
function onlyStructureRefs(ts: typeof TS, sf: TS.SourceFile, name: string, refs: Set<TS.Identifier>, consts: Map<string, TS.VariableDeclaration>): boolean {
  const declaration = consts.get(name)!.name;
  let ok = true;
  const visit = (node: TS.Node): void => {
    if (!ok) return;
    if (ts.isIdentifier(node) && node.text === name && node !== declaration && !refs.has(node)) {
      const p = node.parent;
      const isKey =
        (ts.isPropertyAccessExpression(p) && p.name === node) ||
        (ts.isPropertyAssignment(p) && p.name === node) ||
        (ts.isJsxAttribute(p) && p.name === node) ||
        ((ts.isPropertySignature(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p)) && p.name === node);
      if (!isKey) ok = false;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return ok;
}

function containsJsx(ts: typeof TS, node: TS.Node): boolean {
  let found = false;
  const visit = (n: TS.Node): void => {
    if (found) return;
    if (ts.isJsxElement(n) || ts.isJsxSelfClosingElement(n) || ts.isJsxFragment(n)) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}
