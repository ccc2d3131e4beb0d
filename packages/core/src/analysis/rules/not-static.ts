import type { RuleContext } from '../context.js';
import type { ValueNode } from '../values.js';

/** SKN008 (warning): a value computed at run time, which no rule can check. */
export function notStatic(ctx: RuleContext): void {
  // The whole export: also `loops: list.map(…)` and config-level values (or a scope's part of it).
  if (!ctx.doc.shape) return;
  const { scope } = ctx;
  if (scope.kind === 'loop') visit(ctx, scope.loop.node, new Set());
  else visit(ctx, ctx.doc.root, new Set(), scope.kind === 'outside-loops' ? new Set(ctx.doc.loops.map((l) => l.node)) : undefined);
}

/** `skip`: the loops, when only what lies outside them is in scope. */
function visit(ctx: RuleContext, node: ValueNode | undefined, seen: Set<number | string>, skip?: Set<ValueNode>): void {
  if (!node || skip?.has(node)) return;
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
    for (const p of node.properties) visit(ctx, p.value, seen, skip);
  } else if (node.kind === 'array') {
    for (const item of node.items) visit(ctx, item, seen, skip);
  }
}
