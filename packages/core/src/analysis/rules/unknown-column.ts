import { scanPlaceholders } from '../../template/placeholders.js';
import type { RuleContext, StepEntry } from '../context.js';
import type { TableInfo } from '../project.js';
import { queryConditions } from '../queries.js';
import { didYouMean } from '../suggest.js';
import { sourceOffset, stringAt } from '../values.js';

export const USERS_TABLE = 'users';

/** SKN041: `{{user.<column>}}` (or `{{row.<column>}}`) naming a column the table does not have. */
export function unknownColumn(ctx: RuleContext): void {
  const schema = ctx.project.schema;
  if (!schema || ctx.dialect === 'redis') return;
  for (const { node, entry } of ctx.templateStrings()) {
    for (const placeholder of scanPlaceholders(node.value).placeholders) {
      const [root, column] = placeholder.path;
      if (!column) continue;
      const table = root === 'user' ? userTable(ctx, entry) : root === 'row' ? rowTable(ctx, entry) : undefined;
      if (!table || table.columns.some((c) => c.name === column)) continue;
      const at = node.value.indexOf(column, placeholder.start + 2 + root.length);
      const range = { start: sourceOffset(node, at), end: sourceOffset(node, at + column.length) };
      const suggestion = didYouMean(column, table.columns.map((c) => c.name));
      ctx.report('SKN041', range,
        `Unknown column '${column}' in {{${placeholder.expression}}}: table '${table.name}' has ${table.columns.map((c) => c.name).join(', ')}.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`,
        suggestion ? [{ title: `Change to '${suggestion}'`, edits: [{ range, newText: suggestion }] }] : undefined);
    }
  }
}

/** `user` is the users table's row — except in a schedule whose query does not read users. */
export function userTable(ctx: RuleContext, entry: StepEntry): TableInfo | undefined {
  const users = ctx.project.schema?.tables.get(USERS_TABLE);
  if (!users || entry.triggerType !== 'schedule') return users;
  const query = queryConditions(ctx).find((q) => q.entry.step === entry.step);
  const tables = query?.info.tables.map((t) => t.name) ?? [];
  return /^\s*(select\s+\*|select\s+[\w.]*users\.\*)/i.test(query?.node.value ?? '') && tables.includes(USERS_TABLE) ? users : undefined;
}

function rowTable(ctx: RuleContext, entry: StepEntry): TableInfo | undefined {
  const table = entry.triggerType === 'database' ? stringAt(entry.trigger, 'table')?.value : undefined;
  return table ? ctx.project.schema?.tables.get(table) : undefined;
}
