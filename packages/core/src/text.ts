/**
 * Words and paths as every surface writes them (reports, `skene check`, the Action, the editor):
 * one definition each, so "1 email" and `emails/welcome.tsx` read the same everywhere.
 */
import { sep } from 'node:path';

/** `1 email`, `2 emails`: a count and its noun, the noun plural unless the count is one. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A path relative to a project, `/`-separated on every platform (as reports and logs show it). */
export function toPosix(path: string): string {
  return path.split(sep).join('/');
}
