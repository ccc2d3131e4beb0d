import type { RuleContext, StepEntry } from '../context.js';
import type { Fix } from '../diagnostics.js';
import { conventionColumns, needsPerson, noPersonReason, peopleOf } from '../people.js';
import { documentPeople, shapeOf } from '../person-table.js';
import type { SchemaCatalog } from '../project.js';
import { isChecked, tableKey } from '../table-names.js';
import { property, stringAt } from '../values.js';
import { stepPerson } from './unknown-column.js';

/**
 * SKN043: a database trigger whose rows reach no person, while the step needs one (`to` left at
 * its default, or a `{{user.…}}`): the plan would send none of its emails. Resolved as the plan
 * resolves it (../people.ts) from the schema files' tables and declared foreign keys.
 */
export function noPerson(ctx: RuleContext): void {
  const schema = ctx.project.schema;
  const people = documentPeople(ctx.doc);
  if (!schema || ctx.dialect === 'redis' || !people) return;
  const texts = new Map<unknown, string[]>();
  for (const { entry, node } of ctx.templateStrings()) texts.set(entry.step, [...(texts.get(entry.step) ?? []), node.value]);
  for (const entry of ctx.steps()) {
    const tableNode = stringAt(entry.trigger, 'table');
    // As the plan asks it: a `to` computed at run time counts as given.
    const needs = needsPerson({
      toGiven: property(entry.action, 'to') !== undefined,
      texts: [...(texts.get(entry.step) ?? []), stringAt(entry.action, 'from')?.value],
    });
    if (entry.triggerType !== 'database' || !tableNode || !needs) continue;
    const { route, trigger, table } = stepPerson(ctx, entry);
    if (!route || !trigger) continue;
    let message: string | undefined;
    if (route.kind === 'none') {
      message = `'${tableNode.value}' rows reach no person: ${noPersonReason(people, tableNode.value)}, so the plan sends none of this step's emails. Name the table of your people with defineConfig({ users: { table: '…' } }), or declare the foreign key (${conventionColumns(people)[0]} … REFERENCES ${people.table}).`;
    } else if (route.kind === 'lookup' && !table && isChecked(schema, route.table)) {
      message = `'${tableNode.value}.${route.column}' points at '${tableKey(route.table)}', which no schema file creates, so the plan finds no person for this step. Name the table of your people with defineConfig({ users: { table: '…' } }).`;
    }
    if (message) ctx.report('SKN043', tableNode.range, message, usersFix(ctx, entry, schema), 'warning');
  }
}

/** `users: { table: 'members' }` written into defineConfig, when one table is clearly the people table. */
function usersFix(ctx: RuleContext, entry: StepEntry, schema: SchemaCatalog): Fix[] | undefined {
  const root = ctx.doc.root;
  if (ctx.doc.shape !== 'config' || root?.kind !== 'object' || property(root, 'users')) return undefined;
  const trigger = stringAt(entry.trigger, 'table')?.value;
  const candidates = peopleCandidates(schema, 'email', trigger);
  if (candidates.length !== 1) return undefined;
  const table = candidates[0]!;
  return [
    {
      title: `Set users: { table: '${table}' }`,
      edits: [{ range: { start: root.range.start + 1, end: root.range.start + 1 }, newText: `\n  users: { table: '${table}' },` }],
    },
  ];
}

/**
 * Tables that look like the app's people: they have the email column, and (for a trigger table)
 * the trigger table points at them by a declared foreign key or a `<person>_id` column.
 */
export function peopleCandidates(schema: SchemaCatalog, email: string, triggerName?: string): string[] {
  const tables = [...schema.tables.values()];
  const trigger = triggerName ? tables.find((t) => tableKey(t) === triggerName || t.name === triggerName) : undefined;
  const withEmail = tables.filter((t) => t !== trigger && t.columns.some((c) => c.name === email));
  if (!trigger) return withEmail.map(tableKey);
  const shape = shapeOf(trigger);
  return withEmail
    .filter((t) => {
      const people = peopleOf({ table: tableKey(t), email });
      return (shape.foreignKeys ?? []).some((fk) => tableKey(fk.table) === tableKey(t)) || conventionColumns(people).some((c) => shape.columns.includes(c));
    })
    .map(tableKey);
}
