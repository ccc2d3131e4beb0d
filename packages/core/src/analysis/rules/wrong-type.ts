import type { RuleContext } from '../context.js';
import type { ValueNode } from '../values.js';

/** SKN003: a value of the wrong type (`template: 3`, `steps: {}`). */
export function wrongType(ctx: RuleContext): void {
  for (const { issue, node } of ctx.schemaIssues()) {
    if (issue.code !== 'invalid_type' || !node) continue;
    const key = issue.path.length ? `'${String(issue.path[issue.path.length - 1])}'` : 'The export';
    ctx.report('SKN003', node.range, `${key} must be ${article(issue.expected)}, not ${describe(node)}.`);
  }
}

function article(expected: string): string {
  return expected === 'object' || expected === 'array' ? `an ${expected}` : `a ${expected}`;
}

function describe(node: ValueNode): string {
  switch (node.kind) {
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'null':
      return 'null';
    default:
      return `a ${node.kind}`;
  }
}
