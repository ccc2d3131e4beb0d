/**
 * ISO 8601 instants, strictly: `--at`, `--since`, the Action's `at`, the editor's `skene.planAt`.
 * A leaf module (no imports) so the extension host can validate an instant without loading the plan.
 */

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
