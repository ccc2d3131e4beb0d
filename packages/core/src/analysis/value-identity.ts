/**
 * Which value trees stand for the same value. An edit inside one loop leaves the loops after it
 * the same values at new places: the incremental reader (incremental.ts) copies them with moved
 * ranges, and records each copy here, so that what was worked out from a loop's value (its plain
 * value, its schema issues: schema-issues.ts) is reused instead of worked out again.
 */
import type { ValueNode } from './values.js';

/** A moved copy → the first node with its value. */
const firstWithValue = new WeakMap<ValueNode, ValueNode>();

/** Records that `copy` stands for the same value as `original` (its ranges alone moved). */
export function sameValueAs(original: ValueNode, copy: ValueNode): void {
  firstWithValue.set(copy, valueIdentity(original));
}

/** The node whose value this one has: itself, unless it is a moved copy. */
export function valueIdentity(node: ValueNode): ValueNode {
  return firstWithValue.get(node) ?? node;
}
