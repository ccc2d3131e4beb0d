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
  const read = readInstant(text);
  return 'date' in read ? read.date : undefined;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/i;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * An ISO 8601 instant, or why not: no `problem` when the text is not ISO 8601 at all, else which
 * field does not exist. `Date` rolls impossible fields over (February 30 → March 2, 24:00 → the
 * next day): a plan pinned to a time that does not exist is refused instead.
 */
export function readInstant(text: string): { date: Date } | { problem?: string } {
  const m = ISO.exec(text.trim());
  if (!m) return {};
  const [, year, month, day, hour = '00', minute = '00', second = '00', zone, zoneHour = '00', zoneMinute = '00'] = m;
  const problem = fieldProblem(Number(year), Number(month), Number(day), [Number(hour), Number(minute), Number(second)]);
  if (problem) return { problem };
  if (Number(zoneHour) > 23 || Number(zoneMinute) > 59) return { problem: `the offset ${zone} does not exist` };
  let value = text.trim().replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) value += 'T00:00:00Z';
  else if (!zone) value += 'Z'; // no zone: UTC, never the machine's zone
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? {} : { date };
}

function fieldProblem(year: number, month: number, day: number, [hour, minute, second]: number[]): string | undefined {
  if (month < 1 || month > 12) return `there is no month ${month}`;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  if (day < 1 || day > days) return `${MONTHS[month - 1]} ${year} has ${days} days`;
  if (hour! > 23) return `hours go from 00 to 23, not ${hour}`;
  if (minute! > 59) return `minutes go from 00 to 59, not ${minute}`;
  if (second! > 59) return `seconds go from 00 to 59, not ${second}`;
  return undefined;
}

export const MAX_OCCURRENCES = 10_000;

/**
 * How far before `at` the cron iterator starts. A wall time skipped by a daylight-saving change
 * (02:30 in Berlin on the last Sunday of March) fires once, after the gap (03:30); the cron library
 * finds that occurrence only when it iterates from before the gap, so a plan pinned at 03:30
 * starts there too and agrees with a plan over the whole day. No zone shifts by more than 2 hours.
 */
const DST_LOOKBACK_MS = 3 * 3_600_000;

/** Every occurrence of `cron` (in `timezone`, default UTC) with at ≤ t < at + horizonMs. */
export function cronOccurrences(cron: string, timezone: string | undefined, at: Date, horizonMs: number): Date[] {
  const start = at.getTime();
  const end = start + horizonMs;
  const iterator = CronExpressionParser.parse(cron, { currentDate: new Date(start - DST_LOOKBACK_MS - 1), tz: timezone ?? 'UTC' });
  const out: Date[] = [];
  for (;;) {
    const next = iterator.next().toDate();
    if (next.getTime() >= end) break;
    if (next.getTime() < start) continue;
    out.push(next);
    if (out.length > MAX_OCCURRENCES) throw new Error(`"${cron}" fires more than ${MAX_OCCURRENCES} times in the horizon: shorten --horizon`);
  }
  return out;
}
