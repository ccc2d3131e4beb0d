/** Document symbols: each loop (named by its id) and its steps (trigger → action). */
import { loopId } from '@skene/sdk';
import type { ConfigDocument } from '../analysis/document.js';
import { property, stringAt, valueOf, type ValueNode } from '../analysis/values.js';
import type { DocumentSymbol } from './types.js';

export interface LoopInfo {
  index: number;
  id: string;
  node: ValueNode;
}

/** Every loop with its id (explicit, or `<type>-<n>` as in reports). */
export function loopInfos(doc: ConfigDocument): LoopInfo[] {
  const all = doc.loops.map(({ node }) => ({ id: stringAt(node, 'id')?.value, type: stringAt(node, 'type')?.value ?? 'loop' }));
  return doc.loops.map(({ index, node }) => ({ index, node, id: loopId(all[index], index, all) }));
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
