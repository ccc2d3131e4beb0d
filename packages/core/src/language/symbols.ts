/** Document symbols: each loop (named by its id) and its steps (trigger → action). */
import { loopId } from '@skene/sdk';
import type TS from 'typescript';
import type { ConfigDocument } from '../analysis/document.js';
import { ts } from '../analysis/syntax.js';
import { property, stringAt, valueOf, type ValueNode } from '../analysis/values.js';
import type { DocumentSymbol } from './types.js';

export interface LoopInfo {
  index: number;
  id: string;
  node: ValueNode;
}

/**
 * Every loop with its id (explicit, or `<type>-<n>` as in reports). Only entries that can be loops
 * count: while a loop is half-typed (its `{` deleted), TypeScript's error recovery reads its keys
 * and values as entries of `loops: […]` — `id`, `'welcome'`, `steps`, `[…]` — and the status bar
 * once counted 9 loops in a two-loop config.
 */
export function loopInfos(doc: ConfigDocument): LoopInfo[] {
  const declared = declaredNames(doc.sourceFile);
  const entries = doc.loops.filter(({ node }) => canBeLoop(node, declared));
  const all = entries.map(({ node }) => ({ id: stringAt(node, 'id')?.value, type: stringAt(node, 'type')?.value ?? 'loop' }));
  return entries.map(({ index, node }, i) => ({ index, node, id: loopId(all[i]!, i, all) }));
}

/**
 * An object literal (or `defineLoop({…})`), or an expression computed at run time — an imported
 * loop, `makeLoop(…)` — but not a literal of another type, nor a bare name the file never declares
 * (what recovery makes of a key).
 */
function canBeLoop(node: ValueNode, declared: ReadonlySet<string>): boolean {
  if (node.kind === 'object') return true;
  if (node.kind !== 'opaque') return false;
  return !/^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(node.text) || declared.has(node.text);
}

/** The names the file's top level declares: imports, variables, functions, classes. */
function declaredNames(sourceFile: TS.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.name) names.add(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
      else if (bindings) for (const element of bindings.elements) names.add(element.name.text);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) names.add(declaration.name.text);
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) {
      names.add(statement.name.text);
    }
  }
  return names;
}

export function symbols(doc: ConfigDocument): DocumentSymbol[] {
  return loopInfos(doc).map(({ id, node }) => {
    const steps = valueOf(node, 'steps');
    const children: DocumentSymbol[] =
      steps?.kind === 'array'
        ? steps.items.map((step, i) => ({
            name: `step ${i + 1}`,
            detail: stepSummary(step),
            kind: 'step' as const,
            range: step.range,
            selectionRange: property(step, 'trigger')?.keyRange ?? step.range,
            children: [],
          }))
        : [];
    const opinion = stringAt(node, 'opinion')?.value;
    const selection = property(node, 'id')?.keyRange ?? property(node, 'type')?.keyRange ?? node.range;
    return { name: id, detail: opinion, kind: 'loop' as const, range: node.range, selectionRange: selection, children };
  });
}

function stepSummary(step: ValueNode): string {
  const trigger = valueOf(step, 'trigger');
  const type = stringAt(trigger, 'type')?.value;
  const on =
    type === 'database'
      ? `${stringAt(trigger, 'event')?.value ?? '?'} on ${stringAt(trigger, 'table')?.value ?? '?'}`
      : type === 'schedule'
        ? `schedule ${stringAt(trigger, 'cron')?.value ?? '?'}`
        : (type ?? '?');
  const template = stringAt(valueOf(step, 'action'), 'template')?.value;
  return template ? `${on} → ${template}` : on;
}
