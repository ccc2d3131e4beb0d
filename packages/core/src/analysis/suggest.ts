import { closest, distance } from 'fastest-levenshtein';

/** Did-you-mean: the closest candidate within a third of the word's length (at least 2 edits). */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  if (!candidates.length || !word) return undefined;
  const lower = word.toLowerCase();
  const best = closest(
    lower,
    candidates.map((c) => c.toLowerCase()),
  );
  const limit = Math.max(2, Math.floor(word.length / 3));
  if (distance(lower, best) > limit) return undefined;
  return candidates.find((c) => c.toLowerCase() === best);
}
