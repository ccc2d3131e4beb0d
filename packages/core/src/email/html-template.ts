/**
 * An HTML email template (`emails/<name>.html`) compiled once and filled per email: the body
 * split around its `{{key}}`s (values HTML-escaped), the `<title>` as the default subject, and
 * the plain-text version as a template of its own (plain-text-template.ts). A plan fills the
 * same file for every recipient of a step.
 */
import { splitAtPlaceholders } from '../template/placeholders.js';
import { compilePlaceholders, escapeHtml, formatValue, lookupPath } from './interpolate.js';
import { piecesJoiner } from './pieces.js';
import { htmlToPlainText } from './plain-text.js';
import { compilePlainText } from './plain-text-template.js';

export interface FilledHtml {
  html: string;
  text: string;
  /** The `<title>`, filled (when asked for); absent when the file has none. */
  subject?: string;
  /** `{{key}}`s the props do not provide (rendered empty), body first, then the title's. */
  missing: string[];
}

/** `withTitle`: also fill the `<title>` (the default subject, when the action sets none). */
export type HtmlTemplate = (props: Record<string, unknown>, withTitle: boolean) => FilledHtml;

export function compileHtmlTemplate(source: string): HtmlTemplate {
  const { placeholders, literals } = splitAtPlaceholders(source);
  const text = compilePlainText(literals, htmlToPlainText);
  const rawTitle = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(source)?.[1];
  const title = rawTitle !== undefined && rawTitle.trim() ? compilePlaceholders(decodeEntities(rawTitle.trim().replace(/\s+/g, ' '))) : undefined;

  // The title's resolver reads the props of the email being filled: one function, not one per email.
  let current: Record<string, unknown> = {};
  const fromCurrent = (path: string[]) => lookupPath(current, path);

  // Scratch lists reused by every fill (each is read before the fill returns, never kept).
  const values: (string | undefined)[] = new Array(placeholders.length);
  const pieces: string[] = new Array(2 * placeholders.length + 1);
  pieces[0] = literals[0]!;
  const joinPieces = piecesJoiner(literals);

  return (props, withTitle) => {
    const missing: string[] = []; // the caller's own: renderEmail returns it
    for (let i = 0; i < placeholders.length; i++) {
      const value = formatValue(lookupPath(props, placeholders[i]!.path));
      values[i] = value;
      if (value === undefined) {
        const expression = placeholders[i]!.expression;
        if (!missing.includes(expression)) missing.push(expression);
      }
      pieces[2 * i + 1] = value === undefined ? '' : escapeHtml(value);
      pieces[2 * i + 2] = literals[i + 1]!;
    }
    const html = joinPieces(pieces);
    const filled: FilledHtml = { html, text: text?.(values) ?? htmlToPlainText(html), missing };
    if (title && withTitle) {
      current = props;
      const subject = title(fromCurrent);
      filled.subject = subject.value;
      for (const m of subject.missing) if (!missing.includes(m)) missing.push(m);
    }
    return filled;
  };
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
