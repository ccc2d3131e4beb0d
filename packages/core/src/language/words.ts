/**
 * Cron expressions and durations in words, for completion details and hover.
 */
import { DURATION_PATTERN } from '@skene/sdk';
import { CronExpressionParser } from 'cron-parser';
import cronstrue from 'cronstrue';
import { cronProblem } from '../analysis/rules/invalid-cron.js';
import { isTimeZone } from '../analysis/rules/unknown-timezone.js';
import { Memo } from '../memo.js';

/** Common schedules offered by completion, each with its meaning (computed, not hand-written). */
export const CRON_PRESETS = ['0 9 * * *', '0 9 * * 1-5', '0 9 * * 1', '0 0 * * *', '0 * * * *', '*/15 * * * *', '0 9 1 * *', '30 17 * * 5'] as const;

/** Durations offered by completion. */
export const DURATION_PRESETS = ['30s', '1m', '5m', '10m', '15m', '30m', '1h', '6h', '12h', '1d', '3d', '7d', '14d', '30d'] as const;

/** `0 9 * * 1-5` → `At 09:00, Monday through Friday`; undefined when it is not a valid 5-field expression. */
export function cronInWords(expression: string): string | undefined {
  return inWords.get(expression, () => {
    if (cronProblem(expression)) return undefined;
    try {
      return cronstrue.toString(expression, { use24HourTimeFormat: true, verbose: false });
    } catch {
      return undefined;
    }
  });
}

/**
 * The next `count` occurrences after `now`, as wall-clock times in `timeZone` (`Mon 2026-01-05 09:00`).
 * The same all through `now`'s minute (a cron fires on minutes, and the next one is always after the
 * minute `now` is in), so kept for it: a hover computed them with time zone arithmetic every time,
 * ~400 KB of garbage each, and the editor asks again as the pointer rests.
 */
export function nextOccurrences(expression: string, timeZone: string | undefined, now: Date, count = 3): string[] {
  const tz = timeZone && isTimeZone(timeZone) ? timeZone : 'UTC';
  const minute = Math.floor(now.getTime() / 60_000);
  return occurrences
    .get(`${expression}\u0000${tz}\u0000${count}\u0000${minute}`, () => {
      if (cronProblem(expression)) return [];
      try {
        const iterator = CronExpressionParser.parse(expression, { tz, currentDate: now, strict: false });
        const out: string[] = [];
        for (let i = 0; i < count; i++) out.push(formatInZone(iterator.next().toDate(), tz));
        return out;
      } catch {
        return [];
      }
    })
    .slice();
}

const inWords = new Memo<string | undefined>(500);
const occurrences = new Memo<string[]>(500);

const formatters = new Map<string, Intl.DateTimeFormat>();

export function formatInZone(date: Date, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

const UNIT_WORDS: Record<string, [string, string]> = {
  ms: ['millisecond', 'milliseconds'],
  s: ['second', 'seconds'],
  m: ['minute', 'minutes'],
  h: ['hour', 'hours'],
  d: ['day', 'days'],
};

/** `10m` → `10 minutes`; undefined when it is not a compact duration. */
export function durationInWords(text: string): string | undefined {
  if (!DURATION_PATTERN.test(text)) return undefined;
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text)!;
  const n = Number(m[1]);
  return `${n} ${UNIT_WORDS[m[2]][n === 1 ? 0 : 1]}`;
}
