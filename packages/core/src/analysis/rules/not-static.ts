import type { RuleContext } from '../context.js';
import type { ValueNode } from '../values.js';

/** SKN008 (warning): a value computed at run time, which no rule can check. */
export function notStatic(ctx: RuleContext): void {
  for (const { node } of ctx.doc.loops) visit(ctx, node);
}

function visit(ctx: RuleContext, node: ValueNode | undefined): void {
  if (!node) return;
  if (node.kind === 'opaque') {
    const text = node.text.length > 50 ? `${node.text.slice(0, 47)}…` : node.text;
    ctx.report('SKN008', node.range, `\`${text}\` is computed when the config runs, so Skene cannot check it here. Write the value literally to have it checked.`, undefined, 'warning');
  } else if (node.kind === 'object') {
    for (const p of node.properties) visit(ctx, p.value);
  } else if (node.kind === 'array') {
    for (const item of node.items) visit(ctx, item);
  }
}
