import type { RuleContext, StepEntry } from '../context.js';
import type { TableInfo } from '../project.js';
import { queryConditions } from '../queries.js';
import { didYouMean } from '../suggest.js';
import { documentPeople, personTable, type PersonTable } from '../person-table.js';
import { findTable, parseTableName, tableKey } from '../table-names.js';
import { sourceOffset, stringAt } from '../values.js';

/** SKN041: `{{user.<column>}}` (or `{{row.<column>}}`) naming a column the table does not have. */
export function unknownColumn(ctx: RuleContext): void {
  const schema = ctx.project.schema;
  if (!schema || ctx.dialect === 'redis') return;
  for (const { node, entry } of ctx.templateStrings()) {
    for (const placeholder of ctx.placeholdersIn(node.value).placeholders) {
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
 * `user` is the people table's row, found as the plan finds it (../person-table.ts): the trigger
 * row itself, or the row its foreign key points at; in a schedule, the people table the query
 * reads when it returns its rows (`SELECT *`, `SELECT members.*`), or every row without a query.
 */
export function userTable(ctx: RuleContext, entry: StepEntry): TableInfo | undefined {
  return stepPerson(ctx, entry).table;
}

/**
 * The people resolution of one step, from the config's `users` and the schema files. Once per step
 * and analysis (a context's step entries are its own): this rule asks for every `{{user.…}}`, and
 * SKN043 again for every step.
 */
export function stepPerson(ctx: RuleContext, entry: StepEntry): PersonTable {
  let person = personOfStep.get(entry);
  if (!person) personOfStep.set(entry, (person = resolveStepPerson(ctx, entry)));
  return person;
}

const personOfStep = new WeakMap<StepEntry, PersonTable>();

function resolveStepPerson(ctx: RuleContext, entry: StepEntry): PersonTable {
  const query = entry.triggerType === 'schedule' && entry.condition ? queryConditions(ctx).find((q) => !q.goal && q.entry.step === entry.step) : undefined;
  return personTable({
    people: documentPeople(ctx.doc),
    schema: ctx.project.schema,
    dialect: ctx.dialect,
    step: {
      triggerType: entry.triggerType,
      table: stringAt(entry.trigger, 'table')?.value,
      // A condition that is not a static query reads rows we cannot know: never "every person".
      ...(entry.condition ? { query: query?.node.value ?? '', queryTables: query?.info.tables ?? [] } : {}),
    },
  });
}

function rowTable(ctx: RuleContext, entry: StepEntry): TableInfo | undefined {
  const table = entry.triggerType === 'database' ? stringAt(entry.trigger, 'table')?.value : undefined;
  const schema = ctx.project.schema;
  return table && schema && ctx.dialect !== 'redis' ? findTable(schema, parseTableName(table), ctx.dialect) : undefined;
}
