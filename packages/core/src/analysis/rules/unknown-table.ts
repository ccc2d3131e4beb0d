import { replaceString, type RuleContext } from '../context.js';
import type { SchemaCatalog } from '../project.js';
import { queryConditions } from '../queries.js';
import { findTable, isChecked, parseTableName, sqlTableName, suggestTable, tableKey, tablesInSchema, type TableRef } from '../table-names.js';
import { sourceOffset, stringAt } from '../values.js';

/**
 * SKN040: a trigger table or a table in a condition that the project's schema files do not create,
 * resolved as the plan resolves it (./table-names.ts): `crm.users`, `public.users` and `users`
 * are found where the files create them.
 */
export function unknownTable(ctx: RuleContext): void {
  const schema = ctx.project.schema;
  const dialect = ctx.dialect;
  if (!schema || dialect === 'redis') return;
  const unknown = (ref: TableRef) => !findTable(schema, ref, dialect) && isChecked(schema, ref);
  for (const { trigger, triggerType } of ctx.steps()) {
    const table = triggerType === 'database' ? stringAt(trigger, 'table') : undefined;
    if (!table || !table.value) continue;
    const ref = parseTableName(table.value);
    if (!unknown(ref)) continue;
    const suggestion = suggestTable(schema, ref);
    ctx.report(
      'SKN040',
      table.range,
      message(schema, table.value, ref, suggestion),
      suggestion
        ? [{ title: `Change to '${suggestion}'`, edits: [{ range: table.range, newText: replaceString(table, ctx.doc.text, suggestion) }] }]
        : undefined,
    );
  }
  for (const { node, info } of queryConditions(ctx)) {
    for (const table of info.tables) {
      if (!unknown(table)) continue;
      const range = { start: sourceOffset(node, table.start), end: sourceOffset(node, table.end) };
      const suggestion = suggestTable(schema, table);
      const newText = suggestion ? sqlTableName(parseTableName(suggestion), dialect) : undefined;
      ctx.report(
        'SKN040',
        range,
        message(schema, node.value.slice(table.start, table.end) || tableKey(table), table, suggestion),
        newText ? [{ title: `Change to '${newText}'`, edits: [{ range, newText }] }] : undefined,
      );
    }
  }
}

function message(schema: SchemaCatalog, name: string, ref: TableRef, suggestion: string | undefined): string {
  const head = `Unknown table '${name}': no schema file (${schema.files.join(', ')}) creates it.`;
  if (suggestion) return `${head} Did you mean '${suggestion}'?`;
  // Nothing close: say what the schema does have, so a wrong schema or name is easy to see.
  const inSchema = ref.schema ? tablesInSchema(schema, ref.schema) : [];
  return inSchema.length ? `${head} Tables in ${ref.schema}: ${inSchema.slice(0, 8).join(', ')}${inSchema.length > 8 ? ', …' : ''}.` : head;
}
