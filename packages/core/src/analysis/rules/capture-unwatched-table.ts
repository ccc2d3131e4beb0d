import type { RuleContext } from '../context.js';
import { didYouMean } from '../suggest.js';
import { stringAt } from '../values.js';

/**
 * SKN045: `database.capture` names a table no database trigger watches. Its columns are read for
 * nobody: usually a typo of the trigger's table (`user` for `users`), which then goes on being
 * read by the default columns. A warning.
 */
export function captureUnwatchedTable(ctx: RuleContext): void {
  const database = ctx.doc.root?.kind === 'object' ? ctx.doc.root.properties.find((p) => p.key === 'database')?.value : undefined;
  const capture = database?.kind === 'object' ? database.properties.find((p) => p.key === 'capture')?.value : undefined;
  if (capture?.kind !== 'object') return;
  const watched = new Set<string>();
  for (const { triggerType, trigger } of ctx.steps()) {
    const table = stringAt(trigger, 'table');
    if (triggerType !== 'database') continue;
    // A table computed at run time: any entry may be its columns.
    if (!table) return;
    watched.add(table.value);
  }
  for (const entry of capture.properties) {
    if (watched.has(entry.key)) continue;
    const closest = didYouMean(entry.key, [...watched]);
    ctx.report(
      'SKN045',
      entry.keyRange,
      `database.capture names '${entry.key}', which no database trigger watches: its columns are never read.${closest ? ` Did you mean '${closest}'?` : watched.size ? ` The watched tables: ${[...watched].join(', ')}.` : ''}`,
      closest ? [{ title: `Rename to '${closest}'`, edits: [{ range: entry.keyRange, newText: keyText(ctx, entry.keyRange.start, closest) }] }] : undefined,
      'warning',
    );
  }
}

/** The table as a key, written as the key it replaces was: quoted when it was, or must be (`crm.users`). */
function keyText(ctx: RuleContext, start: number, table: string): string {
  const quote = ctx.doc.text[start];
  if (quote === "'" || quote === '"') return `${quote}${table}${quote}`;
  return /^[A-Za-z_$][\w$]*$/.test(table) ? table : `'${table}'`;
}
