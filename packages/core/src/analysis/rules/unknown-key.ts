import type { RuleContext } from '../context.js';
import { keysAt, rootSchema } from '../schema-walk.js';
import { didYouMean } from '../suggest.js';
import { plainAt } from '../values.js';

/** SKN001: a key the schema does not have (`personalisation` → did you mean `personalization`?). */
export function unknownKey(ctx: RuleContext): void {
  const { root, shape } = ctx.doc;
  if (!root || !shape) return;
  for (const { issue, node } of ctx.schemaIssues()) {
    if (issue.code !== 'unrecognized_keys' || node?.kind !== 'object') continue;
    const present = new Set(node.properties.map((p) => p.key));
    const known = keysAt(rootSchema(shape), ctx.plain, issue.path, plainAt(ctx.plain, issue.path)).map((k) => k.key);
    const unused = known.filter((k) => !present.has(k));
    for (const key of issue.keys) {
      const prop = node.properties.find((p) => p.key === key);
      if (!prop || prop.computed) continue; // not-static warns about computed keys
      const suggestion = didYouMean(key, unused);
      const message = suggestion
        ? `Unknown key '${key}'. Did you mean '${suggestion}'?`
        : `Unknown key '${key}'. Allowed here: ${known.map((k) => `'${k}'`).join(', ')}.`;
      ctx.report(
        'SKN001',
        prop.keyRange,
        message,
        suggestion ? [{ title: `Rename to '${suggestion}'`, edits: [{ range: prop.keyRange, newText: suggestion }] }] : undefined,
      );
    }
  }
}
