import type { RuleContext } from '../context.js';
import { stringAt, type ValueNode } from '../values.js';

/**
 * SKN044: a database trigger on deletes while the config's source is TiDB. TiDB has no triggers:
 * `skene run` captures its changes by watermark (the creation and update columns), which a
 * deleted row leaves no trace in. Known from the config alone: `database.flavor: 'tidb'`, or a
 * literal `database.url` with a `*.tidbcloud.com` host or the `tidb://` scheme (as the runner
 * decides it; a forced flavor wins). The runner refuses the same trigger with the same reason.
 */
export function tidbDeleteTrigger(ctx: RuleContext): void {
  const database = ctx.doc.root?.kind === 'object' ? ctx.doc.root.properties.find((p) => p.key === 'database')?.value : undefined;
  if (!isTidbSource(database)) return;
  for (const { triggerType, trigger } of ctx.steps()) {
    const event = stringAt(trigger, 'event');
    if (triggerType !== 'database' || event?.value !== 'delete') continue;
    ctx.report(
      'SKN044',
      event.range,
      "TiDB has no triggers: Skene captures TiDB changes by watermark, which cannot see deletes. Mark rows deleted instead — a `deleted_at` column set by the delete, watched with event: 'update' and a condition on `deleted_at IS NOT NULL` — or stream deletes with TiCDC.",
    );
  }
}

function isTidbSource(database: ValueNode | undefined): boolean {
  const flavor = stringAt(database, 'flavor')?.value;
  if (flavor) return flavor === 'tidb';
  const url = stringAt(database, 'url')?.value;
  if (!url) return false;
  if (/^tidb:/i.test(url)) return true;
  try {
    const host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
    return host === 'tidbcloud.com' || host.endsWith('.tidbcloud.com');
  } catch {
    return false;
  }
}
