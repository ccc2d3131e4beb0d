/**
 * The plan's totals in one line — "3 emails would be sent · 1 waiting · 0 not sent · 0 errors" —
 * as the text report, `skene plan --out`, the Action's log and the editor write it. The CI's
 * README check greps the text report's form of this line.
 */
import { plural } from '../text.js';
import type { Counts } from './model.js';

/** Terminal colours: the text report passes its palette, every other caller writes plain text. */
export interface TotalsColors {
  bold(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
}

export interface TotalsLineOptions {
  /** Between the counts: ` · ` (default, as the reports) or `, ` (a one-line message). */
  separator?: string;
  /** Whether emails not sent for another reason are counted (default true; the short messages leave them out). */
  notSent?: boolean;
  colors?: TotalsColors;
}

const PLAIN: TotalsColors = { bold: (s) => s, yellow: (s) => s, red: (s) => s };

/** `1 email would be sent`: the head of the totals line, and all the Markdown report's title says. */
export function wouldBeSent(emails: number): string {
  return `${plural(emails, 'email')} would be sent`;
}

export function totalsLine(totals: Pick<Counts, 'emails' | 'waiting' | 'skipped' | 'errors'>, options: TotalsLineOptions = {}): string {
  const c = options.colors ?? PLAIN;
  const parts = [c.bold(wouldBeSent(totals.emails)), c.yellow(`${totals.waiting} waiting`)];
  if (options.notSent ?? true) parts.push(`${totals.skipped} not sent`);
  parts.push(totals.errors ? c.red(plural(totals.errors, 'error')) : '0 errors');
  return parts.join(options.separator ?? ' · ');
}
