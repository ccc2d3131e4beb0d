import { DURATION_FORMS, DURATION_PATTERN } from '@skene/sdk';
import ms from 'ms';
import { replaceString, type RuleContext } from '../context.js';
import { stringAt } from '../values.js';
import type { StringNode, ValueNode } from '../values.js';

const MAX_DURATION = 365 * 86_400_000;
const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/**
 * SKN012: a duration not in the compact form (`'5 minutes'` → `'5m'`): a condition's `timeout`, a goal's `within`,
 * the frequency cap's `limits.perUser.per`, and TiDB's `database.capture.<table>.overlap`, which the runner would
 * refuse at start.
 */
export function invalidDuration(ctx: RuleContext): void {
  for (const { condition } of ctx.steps()) checkDuration(ctx, stringAt(condition, 'timeout'), "a condition's timeout");
  for (const { goal } of ctx.goals()) checkDuration(ctx, stringAt(goal, 'within'), "a goal's within");
  if (!ctx.outsideLoops) return;
  const root = ctx.doc.root;
  const child = (node: ValueNode | undefined, key: string) => (node?.kind === 'object' ? node.properties.find((p) => p.key === key)?.value : undefined);
  checkDuration(ctx, stringAt(child(child(root, 'limits'), 'perUser'), 'per'), "the frequency cap's per");
  const capture = child(child(root, 'database'), 'capture');
  if (capture?.kind !== 'object') return;
  for (const entry of capture.properties) checkDuration(ctx, stringAt(entry.value, 'overlap'), 'an overlap');
}

function checkDuration(ctx: RuleContext, value: StringNode | undefined, what: string): void {
  if (!value) return;
  if (DURATION_PATTERN.test(value.value)) {
    const millis = ms(value.value as ms.StringValue);
    if (millis > MAX_DURATION) ctx.report('SKN012', value.range, `Duration '${value.value}' is longer than a year; ${what} is at most 365d.`);
    return;
  }
  if (/^0+(ms|s|m|h|d)$/.test(value.value)) {
    ctx.report('SKN012', value.range, `Duration '${value.value}' is zero; ${what} must be positive, for example '30s' or '5m'.`);
    return;
  }
  const compact = compactDuration(value.value);
  ctx.report(
    'SKN012',
    value.range,
    `Invalid duration '${value.value}'. Write a whole number and one unit: ${DURATION_FORMS.map((f) => `'${f}'`).join(', ')}.${compact ? ` Did you mean '${compact}'?` : ''}`,
    compact ? [{ title: `Change to '${compact}'`, edits: [{ range: value.range, newText: replaceString(value, ctx.doc.text, compact) }] }] : undefined,
  );
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
