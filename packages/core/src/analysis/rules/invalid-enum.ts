import { replaceString, type RuleContext } from '../context.js';
import { didYouMean } from '../suggest.js';

/** SKN004: a value outside its set (`backoff: 'exponentail'`, trigger `type: 'databse'`). */
export function invalidEnum(ctx: RuleContext): void {
  for (const { issue, node } of ctx.schemaIssues()) {
    if (!node) continue;
    const allowed =
      issue.code === 'invalid_value'
        ? issue.values.map(String)
        : issue.code === 'invalid_union' && (issue as { discriminator?: string }).discriminator
          ? ((issue as { options?: unknown[] }).options ?? []).map(String)
          : undefined;
    if (!allowed) continue;
    const key = String(issue.path[issue.path.length - 1]);
    if (node.kind !== 'string') {
      ctx.report('SKN004', node.range, `'${key}' must be one of ${allowed.map((v) => `'${v}'`).join(', ')}.`);
      continue;
    }
    const suggestion = didYouMean(node.value, allowed);
    const list = allowed.map((v) => `'${v}'`).join(', ');
    const message = suggestion
      ? `'${node.value}' is not a valid ${key}. Did you mean '${suggestion}'? Allowed: ${list}.`
      : `'${node.value}' is not a valid ${key}. Allowed: ${list}.`;
    const fixes = (suggestion ? [suggestion, ...allowed.filter((v) => v !== suggestion)] : allowed).map((value) => ({
      title: `Change to '${value}'`,
      edits: [{ range: node.range, newText: replaceString(node, ctx.doc.text, value) }],
    }));
    ctx.report('SKN004', node.range, message, fixes);
  }
}
