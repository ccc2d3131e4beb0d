import type { RuleContext } from '../context.js';
import type { ValueNode } from '../values.js';

/** SKN008 (warning): a value computed at run time, which no rule can check. */
export function notStatic(ctx: RuleContext): void {
  // The whole export: also `loops: list.map(…)` and config-level values.
  if (ctx.doc.shape) visit(ctx, ctx.doc.root, new Set());
}

function visit(ctx: RuleContext, node: ValueNode | undefined, seen: Set<number | string>): void {
  if (!node) return;
  if (node.kind === 'opaque') {
    // A const used in several places is one warning, at its one source range; a const that refers
    // to itself is one warning for all its self-references.
    const key = node.cyclic ? `cycle:${node.text}` : node.range.start;
    if (seen.has(key)) return;
    seen.add(key);
    const text = node.text.length > 50 ? `${node.text.slice(0, 47)}…` : node.text;
    if (node.cyclic) {
      ctx.report('SKN008', node.range, `\`${text}\` refers to itself, so its value cannot be known without running the config.`, undefined, 'warning');
      return;
    }
    ctx.report(
      'SKN008',
      node.range,
      `\`${text}\` is computed when the config runs, so Skene cannot check it here. Write the value literally to have it checked.`,
      undefined,
      'warning',
    );
  } else if (node.kind === 'object') {
    for (const p of node.properties) visit(ctx, p.value, seen);
  } else if (node.kind === 'array') {
    for (const item of node.items) visit(ctx, item, seen);
  }
}
