import { TEMPLATE_ROOTS } from '../../template/placeholders.js';
import type { RuleContext } from '../context.js';
import { didYouMean } from '../suggest.js';
import { sourceOffset } from '../values.js';

/** SKN032: a placeholder must start from user, row, match, loop or now (and schedules have no `row`). */
export function placeholderRoot(ctx: RuleContext): void {
  for (const { node, entry } of ctx.templateStrings()) {
    for (const placeholder of ctx.placeholdersIn(node.value).placeholders) {
      const root = placeholder.path[0];
      const start = sourceOffset(node, node.value.indexOf(root, placeholder.start + 2));
      const range = { start, end: start + root.length }; // placeholders hold no escapes: paths are word characters
      if (!(TEMPLATE_ROOTS as readonly string[]).includes(root)) {
        const suggestion = didYouMean(root, TEMPLATE_ROOTS);
        ctx.report(
          'SKN032',
          range,
          `Unknown placeholder root '${root}' in {{${placeholder.expression}}}.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Placeholders start from ${TEMPLATE_ROOTS.map((r) => `'${r}'`).join(', ')}.`,
          suggestion ? [{ title: `Change to '${suggestion}'`, edits: [{ range, newText: suggestion }] }] : undefined,
        );
      } else if (root === 'row' && entry.triggerType === 'schedule') {
        ctx.report(
          'SKN032',
          range,
          `A schedule step has no triggering row, so {{${placeholder.expression}}} is always empty. Use {{user.…}} (each row the query returns) or {{match.…}}.`,
        );
      }
    }
  }
}
