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

// ISO instants live in a leaf module: the editor's extension host validates `skene.planAt` with them.
export { parseInstant, readInstant } from '../instant.js';

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
