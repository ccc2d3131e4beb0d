/** Database values made plain JSON, the same from every source: dates as ISO strings, big integers as strings. */
import type { Row } from '../sources/types.js';

export function plainValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (type === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : (value as bigint).toString();
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (Array.isArray(value)) return value.map(plainValue);
  if (type === 'object') return plainRow(value as Row);
  return value;
}

/** The row with plain values. Rows from a driver are ours: converted in place, no copy. */
export function plainRow(row: Row): Row {
  for (const key in row) {
    const value = row[key];
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') row[key] = plainValue(value);
  }
  return row;
}

/** A sort key: integers (as keys usually are) compare as numbers, anything else by code point. */
function sortKey(key: string): number | string {
  const n = key.length;
  if (n === 0 || n >= 16) return key;
  for (let i = key.charCodeAt(0) === MINUS && n > 1 ? 1 : 0; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c < ZERO || c > NINE) return key;
  }
  return Number(key);
}

const MINUS = 45;
const ZERO = 48;
const NINE = 57;

function compareSortKeys(a: number | string, b: number | string): number {
  if (typeof a === 'number') return typeof b === 'number' ? a - b : -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keys sort numerically when both are integers, otherwise by code point: the same order on every source. */
export function compareKeys(a: string, b: string): number {
  return compareSortKeys(sortKey(a), sortKey(b));
}

/** Sorts by (group, key) with each key decorated once; a list already in order (the usual case) is returned as is. */
export function sortByKey<T>(items: T[], key: (item: T) => string, group: (item: T) => string = () => ''): T[] {
  const decorate = (item: T) => ({ item, g: group(item), k: sortKey(key(item)) });
  const cmp = (a: ReturnType<typeof decorate>, b: ReturnType<typeof decorate>) => (a.g < b.g ? -1 : a.g > b.g ? 1 : compareSortKeys(a.k, b.k));
  let previous = items.length ? decorate(items[0]!) : undefined;
  for (let i = 1; i < items.length; i++) {
    const current = decorate(items[i]!);
    if (cmp(previous!, current) > 0)
      return items
        .map(decorate)
        .sort(cmp)
        .map((d) => d.item);
    previous = current;
  }
  return items;
}
