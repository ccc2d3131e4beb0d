/**
 * The plain-text version of an email: exactly `toPlainText` from `@react-email/render` (same
 * html-to-text options and selectors), but with the converter compiled once instead of on every
 * call — compiling the selectors is most of `toPlainText`'s cost, and a plan renders thousands.
 */
import './react-production.js'; // before React loads
import { compile } from 'html-to-text';
import { plainTextSelectors } from '@react-email/render';

const convert = compile({ wordwrap: false, selectors: [...plainTextSelectors] });

export function htmlToPlainText(html: string): string {
  return convert(html);
}
