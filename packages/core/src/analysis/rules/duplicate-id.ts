import { loopId } from '@skene/sdk';
import type { RuleContext } from '../context.js';
import { stringAt } from '../values.js';

/** SKN009: two loops with the same id — reports and `--compare` could not tell them apart. */
export function duplicateId(ctx: RuleContext): void {
  const loops = ctx.doc.loops.map(({ node }) => ({ node, id: stringAt(node, 'id'), type: stringAt(node, 'type')?.value ?? '' }));
  const seen = new Map<string, number>();
  loops.forEach((loop, i) => {
    const id = loopId({ id: loop.id?.value, type: loop.type }, i, loops);
    const first = seen.get(id);
    if (first === undefined) seen.set(id, i);
    else if (loop.id) ctx.report('SKN009', loop.id.range, `Loop id '${id}' is already used by loop ${first + 1}. Ids must be unique.`);
  });
}
