import { DURATION_FORMS, DURATION_PATTERN } from '@skene/sdk';
import ms from 'ms';
import { replaceString, type RuleContext } from '../context.js';
import { stringAt } from '../values.js';

const MAX_DURATION = 365 * 86_400_000;
const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/** SKN012: a duration not in the compact form (`'5 minutes'` → `'5m'`). */
export function invalidDuration(ctx: RuleContext): void {
  for (const { condition } of ctx.steps()) {
    const timeout = stringAt(condition, 'timeout');
    if (!timeout) continue;
    if (DURATION_PATTERN.test(timeout.value)) {
      const millis = ms(timeout.value as ms.StringValue);
      if (millis > MAX_DURATION)
        ctx.report('SKN012', timeout.range, `Duration '${timeout.value}' is longer than a year; a condition's timeout is at most 365d.`);
      continue;
    }
    if (/^0+(ms|s|m|h|d)$/.test(timeout.value)) {
      ctx.report('SKN012', timeout.range, `Duration '${timeout.value}' is zero; a timeout must be positive, for example '30s' or '5m'.`);
      continue;
    }
    const compact = compactDuration(timeout.value);
    ctx.report(
      'SKN012',
      timeout.range,
      `Invalid duration '${timeout.value}'. Write a whole number and one unit: ${DURATION_FORMS.map((f) => `'${f}'`).join(', ')}.${compact ? ` Did you mean '${compact}'?` : ''}`,
      compact ? [{ title: `Change to '${compact}'`, edits: [{ range: timeout.range, newText: replaceString(timeout, ctx.doc.text, compact) }] }] : undefined,
    );
  }
}

/** `'5 minutes'` → `'5m'` when the `ms` library understands the text; undefined otherwise. */
export function compactDuration(text: string): string | undefined {
  if (/^\s*\d+\s*$/.test(text)) return undefined; // a bare number has no unit to keep: guessing ms would mislead
  let millis: number | undefined;
  try {
    millis = ms(text.trim() as ms.StringValue);
  } catch {
    return undefined;
  }
  if (typeof millis !== 'number' || !Number.isFinite(millis) || millis <= 0 || millis > MAX_DURATION || !Number.isInteger(millis)) return undefined;
  const [unit, size] = UNITS.find(([, s]) => millis! % s === 0)!;
  return `${millis / size}${unit}`;
}
