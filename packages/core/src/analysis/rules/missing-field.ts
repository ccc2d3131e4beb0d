import type { RuleContext } from '../context.js';
import { nodeAtPath, type Range } from '../values.js';

/** SKN002: a required field is absent (`event` in a database trigger, `template` in an action…). */
export function missingField(ctx: RuleContext): void {
  const root = ctx.doc.root;
  if (!root) return;
  for (const { issue, node, parent } of ctx.schemaIssues()) {
    if (node !== undefined || parent?.kind !== 'object') continue;
    if (issue.code !== 'invalid_type' && issue.code !== 'invalid_union' && issue.code !== 'invalid_value') continue;
    const key = String(issue.path[issue.path.length - 1]);
    // A half-typed `key:` is present without a value: point at it rather than at the object.
    const halfTyped = parent.properties.find((p) => p.key === key);
    const expected =
      issue.code === 'invalid_union'
        ? ` (one of ${(issue as { options?: unknown[] }).options?.map((o) => `'${String(o)}'`).join(', ')})`
        : issue.code === 'invalid_value'
          ? ` (${issue.values.map((v) => `'${String(v)}'`).join(' or ')})`
          : '';
    const message = halfTyped ? `'${key}' has no value${expected}.` : `Missing required field '${key}'${expected}.`;
    ctx.report('SKN002', halfTyped ? halfTyped.range : ownerRange(root, issue.path.slice(0, -1), parent.range), message);
  }
}

/** The key that holds the object (`action:`), or the object's opening brace. */
function ownerRange(root: Parameters<typeof nodeAtPath>[0], path: readonly PropertyKey[], fallback: Range): Range {
  if (path.length) {
    const owner = nodeAtPath(root, path.slice(0, -1)).node;
    if (owner?.kind === 'object') {
      const prop = owner.properties.find((p) => p.key === path[path.length - 1]);
      if (prop) return prop.keyRange;
    }
  }
  return { start: fallback.start, end: fallback.start + 1 };
}
