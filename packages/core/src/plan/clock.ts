/** Durations (`30s`, `5m`, `1d`) and cron occurrences in [at, at + horizon). */
import { CronExpressionParser } from 'cron-parser';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `500ms`, `30s`, `5m`, `1h`, `7d` (and `2w` for horizons) → milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/i.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
  return ms > 0 && Number.isFinite(ms) ? ms : undefined;
}

/** Strict ISO 8601 date-time (a date alone means midnight UTC); undefined when not one. */
export function parseInstant(text: string): Date | undefined {
  const iso = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
  if (!iso.test(text.trim())) return undefined;
  let value = text.trim().replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) value += 'T00:00:00Z';
  else if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(value)) value += 'Z'; // no zone: UTC, never the machine's zone
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export const MAX_OCCURRENCES = 10_000;

/** Every occurrence of `cron` (in `timezone`, default UTC) with at ≤ t < at + horizonMs. */
export function cronOccurrences(cron: string, timezone: string | undefined, at: Date, horizonMs: number): Date[] {
  const end = at.getTime() + horizonMs;
  const iterator = CronExpressionParser.parse(cron, { currentDate: new Date(at.getTime() - 1), tz: timezone ?? 'UTC' });
  const out: Date[] = [];
  for (;;) {
    const next = iterator.next().toDate();
    if (next.getTime() >= end) break;
    out.push(next);
    if (out.length > MAX_OCCURRENCES) throw new Error(`"${cron}" fires more than ${MAX_OCCURRENCES} times in the horizon: shorten --horizon`);
  }
  return out;
}
