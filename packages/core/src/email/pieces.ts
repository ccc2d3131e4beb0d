/**
 * How a filled template's pieces become one string. V8 can keep `a + b` as a rope (a small node
 * pointing at both), so every email of a template shares the template's literal text instead of
 * copying it; a flat string (`join`) copies it per email. A React Email body is kilobytes of
 * literal markup, often two-byte (one “curly quote” makes the whole string UTF-16): kept flat,
 * 70,000 planned emails held ~400 MB the collector went over again and again, and collecting was
 * most of the plan's time. A small template is cheaper flat: each rope node costs about as much as
 * 32 bytes of text, so a template joins its pieces unless its literals outweigh the nodes.
 */

/** Bytes a rope node costs, per piece (ConsString: map, hash, length, two pointers). */
const NODE_BYTES = 32;

/** The way to join this template's pieces: shared literals (a rope) when they are large. */
export function piecesJoiner(literals: readonly string[]): (pieces: readonly string[]) => string {
  let bytes = 0;
  for (const literal of literals) bytes += literal.length * (isOneByte(literal) ? 1 : 2);
  // Every literal but the first brings a value with it: two nodes per value.
  return bytes > NODE_BYTES * 2 * literals.length ? concatenate : join;
}

function join(pieces: readonly string[]): string {
  return pieces.join('');
}

function concatenate(pieces: readonly string[]): string {
  let out = '';
  for (const piece of pieces) out += piece;
  return out;
}

function isOneByte(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}
