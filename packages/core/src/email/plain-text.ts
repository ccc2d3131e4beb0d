/**
 * The plain-text version of an email: exactly `toPlainText` from `@react-email/render` (same
 * html-to-text options and selectors), but with the converter compiled once instead of on every
 * call — compiling the selectors is most of `toPlainText`'s cost, and a plan renders thousands.
 *
 * html-to-text is loaded on demand (`loadPlainText`, awaited by whoever fills or renders emails
 * before the first conversion): it is the largest part of a render thread's start (~70 ms), and a
 * thread that only computes a compiled template's values never converts anything.
 */
import './react-production.js'; // before React loads

let convert: ((html: string) => string) | undefined;
let loading: Promise<void> | undefined;

/** Loads and compiles the converter (once); htmlToPlainText may be called once it has resolved. */
export function loadPlainText(): Promise<void> {
  return (loading ??= Promise.all([import('html-to-text'), import('@react-email/render')]).then(([{ compile }, { plainTextSelectors }]) => {
    convert = compile({ wordwrap: false, selectors: [...plainTextSelectors] });
  }));
}

export function htmlToPlainText(html: string): string {
  if (!convert) throw new Error('htmlToPlainText before loadPlainText() resolved');
  return convert(html);
}
