import type { RuleContext } from '../context.js';
import { replaceString } from '../context.js';
import { didYouMean } from '../suggest.js';
import { stringAt } from '../values.js';

/** SKN011: a schedule's timezone that is not an IANA zone. */
export function unknownTimezone(ctx: RuleContext): void {
  for (const { trigger, triggerType } of ctx.steps()) {
    if (triggerType !== 'schedule') continue;
    const tz = stringAt(trigger, 'timezone');
    if (!tz || isTimeZone(tz.value)) continue;
    const suggestion = didYouMean(tz.value, timeZones());
    ctx.report(
      'SKN011',
      tz.range,
      `Unknown time zone '${tz.value}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Use an IANA name such as 'Europe/Helsinki' or 'UTC'.`,
      suggestion ? [{ title: `Change to '${suggestion}'`, edits: [{ range: tz.range, newText: replaceString(tz, ctx.doc.text, suggestion) }] }] : undefined,
    );
  }
}

const known = new Map<string, boolean>();
let canonical: { list: string[]; names: Set<string> } | undefined;

/** ICU's canonical zone names, UTC first: what isTimeZone looks up first, what a typo is matched against, what completion offers. */
export function timeZones(): string[] {
  return canonicalZones().list;
}

function canonicalZones(): { list: string[]; names: Set<string> } {
  if (!canonical) {
    const list = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
    canonical = { list, names: new Set(list) };
  }
  return canonical;
}

/**
 * Whether ICU knows the zone (aliases like `US/Eastern` included); memoised, as each probe builds a
 * formatter. Canonical names are looked up in ICU's list first: the first formatter of a process
 * loads ICU's date data (~20 ms of a cold `skene check`), and most configs name canonical zones.
 */
export function isTimeZone(name: string): boolean {
  if (canonicalZones().names.has(name)) return true;
  let ok = known.get(name);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      ok = name.length > 0;
    } catch {
      ok = false;
    }
    if (known.size < 1000) known.set(name, ok);
  }
  return ok;
}
