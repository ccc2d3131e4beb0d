import { replaceString, type RuleContext } from '../context.js';
import type { Fix } from '../diagnostics.js';
import { documentPeople } from '../person-table.js';
import { findTable, isChecked, suggestTable, tableKey } from '../table-names.js';
import { didYouMean } from '../suggest.js';
import { property, stringAt, type ObjectNode } from '../values.js';
import { peopleCandidates } from './no-person.js';

/**
 * SKN042: `users` in defineConfig names a people table the schema files do not create, or a
 * key, email or name column that table lacks — or leaves `email` at its default on a table with
 * no `email` column. Checked as the plan resolves it (../people.ts).
 */
export function unknownPeopleTable(ctx: RuleContext): void {
  const schema = ctx.project.schema;
  const dialect = ctx.dialect;
  const users = ctx.doc.shape === 'config' ? property(ctx.doc.root, 'users') : undefined;
  const people = documentPeople(ctx.doc);
  if (!schema || dialect === 'redis' || users?.value?.kind !== 'object' || !people) return;
  const option = users.value;
  const tableNode = stringAt(option, 'table');
  const table = findTable(schema, people.ref, dialect);
  if (!table) {
    if (!isChecked(schema, people.ref)) return;
    const suggestion = suggestTable(schema, people.ref) ?? peopleCandidates(schema, people.email)[0];
    const fixes: Fix[] | undefined =
      suggestion && tableNode
        ? [{ title: `Change to '${suggestion}'`, edits: [{ range: tableNode.range, newText: replaceString(tableNode, ctx.doc.text, suggestion) }] }]
        : undefined;
    ctx.report(
      'SKN042',
      tableNode?.range ?? users.keyRange,
      `People table '${people.table}' not found: no schema file (${schema.files.join(', ')}) creates it.${suggestion ? ` Did you mean '${suggestion}'?` : " Name the table of your people: users: { table: '…' }."}`,
      fixes,
    );
    return;
  }
  const columns = table.columns.map((c) => c.name);
  for (const field of ['key', 'email', 'name'] as const) {
    const node = stringAt(option, field);
    if (!node || columns.includes(node.value)) continue;
    const suggestion = didYouMean(node.value, columns) ?? (field === 'email' ? emailColumns(columns)[0] : undefined);
    ctx.report(
      'SKN042',
      node.range,
      `Unknown ${field} column '${node.value}' for users: table '${tableKey(table)}' has ${columns.join(', ')}.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`,
      suggestion ? [{ title: `Change to '${suggestion}'`, edits: [{ range: node.range, newText: replaceString(node, ctx.doc.text, suggestion) }] }] : undefined,
    );
  }
  if (!stringAt(option, 'email') && !columns.includes(people.email))
    missingEmail(ctx, { option, table: tableKey(table), columns, at: tableNode?.range ?? users.keyRange });
}

/** The default `email` column is not there: say which column to name, and offer to write it. */
function missingEmail(ctx: RuleContext, input: { option: ObjectNode; table: string; columns: string[]; at: { start: number; end: number } }): void {
  const guess = emailColumns(input.columns)[0];
  const end = input.option.range.end - 1; // before the closing brace
  const before = ctx.doc.text.slice(input.option.range.start + 1, end).trimEnd();
  const insert = `${before.endsWith(',') || before === '' ? '' : ','} email: '${guess}' `;
  const at = input.option.range.start + 1 + before.length;
  ctx.report(
    'SKN042',
    input.at,
    `Table '${input.table}' has no email column: name the column holding addresses, users: { email: '…' }${guess ? ` (likely '${guess}')` : ''}. Its columns: ${input.columns.join(', ')}.`,
    guess ? [{ title: `Add email: '${guess}'`, edits: [{ range: { start: at, end }, newText: insert }] }] : undefined,
  );
}

/** Columns that look like they hold addresses: `email_address`, `mail`, `contact_email`. */
export function emailColumns(columns: readonly string[]): string[] {
  return columns.filter((c) => /e[-_]?mail|^mail/i.test(c));
}
