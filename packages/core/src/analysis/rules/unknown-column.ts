import { scanPlaceholders } from '../../template/placeholders.js';
import type { RuleContext, StepEntry } from '../context.js';
import type { TableInfo } from '../project.js';
import { queryConditions } from '../queries.js';
import { didYouMean } from '../suggest.js';
import { findTable, isUsersTable, parseTableName, tableKey, USERS_TABLE } from '../table-names.js';
import { sourceOffset, stringAt } from '../values.js';

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
      const suggestion = didYouMean(
        column,
        table.columns.map((c) => c.name),
      );
      ctx.report(
        'SKN041',
        range,
        `Unknown column '${column}' in {{${placeholder.expression}}}: table '${tableKey(table)}' has ${table.columns.map((c) => c.name).join(', ')}.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`,
        suggestion ? [{ title: `Change to '${suggestion}'`, edits: [{ range, newText: suggestion }] }] : undefined,
      );
    }
  }
}

/**
 * `user` is the users table's row: the trigger table itself when it is a users table (`crm.users`
 * too), else `users` on the search_path — as the plan reads it. In a schedule, the users table
 * the query reads, when it returns its rows (`SELECT *`, `SELECT u.*`).
 */
export function userTable(ctx: RuleContext, entry: StepEntry): TableInfo | undefined {
  const schema = ctx.project.schema;
  if (!schema || ctx.dialect === 'redis') return undefined;
  const dialect = ctx.dialect;
  if (entry.triggerType !== 'schedule') {
    const trigger = entry.triggerType === 'database' ? stringAt(entry.trigger, 'table')?.value : undefined;
    const ref = trigger && isUsersTable(trigger) ? parseTableName(trigger) : { name: USERS_TABLE };
    return findTable(schema, ref, dialect);
  }
  const query = queryConditions(ctx).find((q) => q.entry.step === entry.step);
  const read = query?.info.tables.find((t) => isUsersTable(t));
  return read && /^\s*(select\s+\*|select\s+[\w.]*users\.\*)/i.test(query?.node.value ?? '') ? findTable(schema, read, dialect) : undefined;
}

function rowTable(ctx: RuleContext, entry: StepEntry): TableInfo | undefined {
  const table = entry.triggerType === 'database' ? stringAt(entry.trigger, 'table')?.value : undefined;
  const schema = ctx.project.schema;
  return table && schema && ctx.dialect !== 'redis' ? findTable(schema, parseTableName(table), ctx.dialect) : undefined;
}
