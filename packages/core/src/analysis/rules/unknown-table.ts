import { replaceString, type RuleContext } from '../context.js';
import { queryConditions } from '../queries.js';
import { didYouMean } from '../suggest.js';
import { sourceOffset, stringAt } from '../values.js';

/** SKN040: a trigger table or a table in a condition that the project's schema files do not create. */
export function unknownTable(ctx: RuleContext): void {
  const schema = ctx.project.schema;
  if (!schema || ctx.dialect === 'redis') return;
  const names = [...schema.tables.keys()];
  const message = (name: string, suggestion?: string) =>
    `Unknown table '${name}': no schema file (${schema.files.join(', ')}) creates it.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`;
  for (const { trigger, triggerType } of ctx.steps()) {
    const table = triggerType === 'database' ? stringAt(trigger, 'table') : undefined;
    if (!table || !table.value || schema.tables.has(table.value)) continue;
    const suggestion = didYouMean(table.value, names);
    ctx.report('SKN040', table.range, message(table.value, suggestion),
      suggestion ? [{ title: `Change to '${suggestion}'`, edits: [{ range: table.range, newText: replaceString(table, ctx.doc.text, suggestion) }] }] : undefined);
  }
  for (const { node, info } of queryConditions(ctx)) {
    for (const table of info.tables) {
      if (schema.tables.has(table.name)) continue;
      const range = { start: sourceOffset(node, table.start), end: sourceOffset(node, table.end) };
      const suggestion = didYouMean(table.name, names);
      ctx.report('SKN040', range, message(table.name, suggestion), suggestion ? [{ title: `Change to '${suggestion}'`, edits: [{ range, newText: suggestion }] }] : undefined);
    }
  }
}
