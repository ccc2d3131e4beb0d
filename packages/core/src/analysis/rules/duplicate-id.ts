import { loopIds } from '@skene/sdk';
import type { RuleContext } from '../context.js';
import { stringAt } from '../values.js';

/** SKN009: two loops with the same id — reports and `--compare` could not tell them apart. */
export function duplicateId(ctx: RuleContext): void {
  const loops = ctx.doc.loops.map(({ node }) => ({ node, id: stringAt(node, 'id'), type: stringAt(node, 'type')?.value ?? '' }));
  const ids = loopIds(loops.map((l) => ({ id: l.id?.value, type: l.type })));
  const seen = new Map<string, number>();
  ids.forEach((id, i) => {
    const first = seen.get(id);
    if (first === undefined) {
      seen.set(id, i);
      return;
    }
    // Point at an explicit id (the one to change); a derived id collides with an earlier explicit one.
    const explicit = loops[i].id ?? loops[first].id;
    const range = explicit?.range ?? stringAt(loops[i].node, 'type')?.range ?? loops[i].node.range;
    const derived = loops[i].id ? '' : ` (loop ${i + 1} has no id, so it gets '${id}' from its type and position)`;
    ctx.report('SKN009', range, `Loop id '${id}' is used by loops ${first + 1} and ${i + 1}${derived}. Ids must be unique.`);
  });
}
