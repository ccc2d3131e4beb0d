/**
 * The dynamic half of compiling a React Email template (the static half is react-compile.ts):
 * renders the template's skeleton twice, with two sets of sentinel values that differ in length
 * and characters (each holding `& < > " '`, which React escapes), and keeps the result only when
 * both renders agree byte for byte outside the sentinels and each sentinel appears exactly once,
 * escaped exactly as React escapes text and attribute values. What the library components do
 * with a value (React Email's `<Preview>` pads by the text's length) then shows as a difference,
 * and the template is not compiled.
 *
 * The fill is React's own output for any value React writes as it writes a sentinel: a non-empty
 * string without NUL (React Email rewrites emails with NUL; an empty text drops React's `<!-- -->`
 * separator; an empty `href` is left out), or a finite number. Lone surrogates come out as U+FFFD,
 * as they do through React's UTF-8 stream. An `href` must start with `https://`, `http://` or
 * `mailto:` (React rewrites `javascript:` URLs). Any other value (null, a boolean, an element, an
 * array) makes the fill return undefined: that email renders with React.
 */
import type { ReactElement } from 'react';
import { compilePlainText, type PlainTextTemplate } from './plain-text-template.js';
import { piecesJoiner } from './pieces.js';
import { htmlToPlainText } from './plain-text.js';
import type { SlotInfo } from './react-compile.js';

/**
 * The HTML (and its plain text) for one email's slot values (`values[at + slot]`: a plan's are
 * in columns), or undefined: render it with React.
 */
export type ReactFill = (values: readonly unknown[], at?: number) => { html: string; text: string } | undefined;

/** The skeleton's HTML cut at its values: `order[k]` is the slot between `chunks[k]` and `chunks[k + 1]`. */
export interface ReactShape {
  chunks: string[];
  order: number[];
}

export type ReactProof = ({ ok: true } & ReactShape) | { ok: false; reason: string };

const OPEN = '\ue000';
const CLOSE = '\ue001';
const sentinelA = (i: number) => `${OPEN}${i}a&<>"'${CLOSE}`;
const sentinelB = (i: number) => `${OPEN}${i}bcdefghij'"><&&z${CLOSE}`;
const URL_START = /^(?:https?:\/\/|mailto:)/i;

/** React's escaping of text and attribute values (react-dom's `escapeTextForBrowser`). */
export function escapeReact(text: string): string {
  return /["'&<>]/.test(text) ? text.replace(/["'&<>]/g, (c) => REACT_ESCAPES[c]!) : text;
}
const REACT_ESCAPES: Record<string, string> = { '"': '&quot;', '&': '&amp;', "'": '&#x27;', '<': '&lt;', '>': '&gt;' };

export interface ProveOptions {
  /** The skeleton export: the returned JSX with each slot's value taken from the list. */
  skeleton: (values: unknown[]) => ReactElement;
  slots: readonly SlotInfo[];
  /** How the plan renders a React email (renderReactEmail). */
  render: (element: ReactElement) => Promise<string>;
}

/** The template's shape, or why it cannot be filled (then every email renders with React). */
export async function proveReactTemplate({ skeleton, slots, render }: ProveOptions): Promise<ReactProof> {
  const a = slots.map((_, i) => sentinelA(i));
  const b = slots.map((_, i) => sentinelB(i));
  let htmlA: string;
  let htmlB: string;
  try {
    htmlA = await render(skeleton(a));
    htmlB = await render(skeleton(b));
  } catch (error) {
    return { ok: false, reason: `the skeleton did not render: ${error instanceof Error ? error.message : String(error)}` };
  }
  const splitA = splitAtSentinels(htmlA, a);
  const splitB = splitAtSentinels(htmlB, b);
  if (!splitA || !splitB) return { ok: false, reason: 'a value did not come out as React writes text (changed, cut or unescaped)' };
  if (splitA.order.length !== slots.length || new Set(splitA.order).size !== slots.length)
    return { ok: false, reason: 'a value does not appear exactly once in the email' };
  if (splitA.order.join() !== splitB.order.join() || splitA.chunks.some((c, i) => c !== splitB.chunks[i]))
    return { ok: false, reason: 'the email changes with the values beyond the values themselves' };
  const { chunks, order } = splitA;
  if (chunks.some((c) => /<link\b|\0/i.test(c))) return { ok: false, reason: 'the email has a <link> or NUL that React Email rewrites' };
  return { ok: true, chunks, order };
}

/** The fill for a proven shape (in the plan's thread: the shape is plain data a render thread proved). */
export function fillFrom({ chunks, order, slots }: ReactShape & { slots: readonly SlotInfo[] }): ReactFill {
  const text: PlainTextTemplate | undefined = compilePlainText(chunks, htmlToPlainText);
  const joinPieces = piecesJoiner(chunks);
  // Scratch lists reused by every fill (read before the fill returns, never kept).
  const raw: string[] = new Array(order.length);
  const pieces: string[] = new Array(2 * order.length + 1);
  pieces[0] = chunks[0]!;
  return (values, at = 0) => {
    for (let k = 0; k < order.length; k++) {
      const slot = order[k]!;
      const value = slotText(values[at + slot], slots[slot]!);
      if (value === undefined) return undefined;
      raw[k] = value;
      pieces[2 * k + 1] = escapeReact(value);
      pieces[2 * k + 2] = chunks[k + 1]!;
    }
    const html = joinPieces(pieces);
    return { html, text: text?.(raw) ?? htmlToPlainText(html) };
  };
}

/** A value as React writes it in this slot, or undefined when React would write it otherwise. */
function slotText(value: unknown, slot: SlotInfo): string | undefined {
  let text: string;
  if (typeof value === 'string') {
    if (value === '' || value.includes('\0')) return undefined;
    text = value;
  } else if (typeof value === 'number' && Number.isFinite(value)) {
    text = String(value);
  } else {
    return undefined;
  }
  if (slot.url && !URL_START.test(text)) return undefined;
  const wellFormed = text as unknown as { isWellFormed(): boolean; toWellFormed(): string };
  return wellFormed.isWellFormed() ? text : wellFormed.toWellFormed();
}

/** The HTML cut at the (escaped) sentinels: literal chunks, and which slot stands between each. */
function splitAtSentinels(html: string, sentinels: readonly string[]): { chunks: string[]; order: number[] } | undefined {
  const escaped = sentinels.map(escapeReact);
  const chunks: string[] = [];
  const order: number[] = [];
  let last = 0;
  for (let at = html.indexOf(OPEN); at !== -1; at = html.indexOf(OPEN, at)) {
    const digits = /^\d+/.exec(html.slice(at + 1, at + 12))?.[0];
    const index = digits === undefined ? -1 : Number(digits);
    if (index < 0 || index >= escaped.length || !html.startsWith(escaped[index]!, at)) return undefined;
    chunks.push(html.slice(last, at));
    order.push(index);
    at += escaped[index]!.length;
    last = at;
  }
  chunks.push(html.slice(last));
  if (chunks.some((c) => c.includes(CLOSE))) return undefined;
  return { chunks, order };
}
