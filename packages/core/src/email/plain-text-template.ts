/**
 * The plain-text version of an HTML template as a template of its own, so that a plan over
 * 100,000 recipients runs html-to-text once per template instead of once per email.
 *
 * How: the HTML is converted once with a unique marker in place of each value. Where the
 * markers land in the text (as written, upper-cased by a heading, or nowhere) gives the text
 * template. That is only equal to converting each email when html-to-text treats the value as
 * opaque words, so this refuses (returns undefined) whenever it could not be:
 * - per template: a value that can change how the HTML parses (in a tag or attribute name, an
 *   unquoted attribute, a comment, or right after `&…` or `<`, where it could complete an entity
 *   or a tag);
 *   a value in an attribute html-to-text reads (only `href` on `<a>` and attributes it ignores are
 *   allowed); a value in a link's text, or a link whose text holds more than plain inline text
 *   (the URL is hidden when it equals the text); a value in raw text (`<style>`, `<title>`… are not
 *   entity-decoded) that reaches the text, in a data table (column widths), or directly in a list;
 *   or a conversion that changes when the values grow longer or contain spaces;
 * - per email (the fill returns undefined): an empty value or one with any whitespace but single
 *   spaces between words (html-to-text collapses or drops it), a link URL that html-to-text would drop,
 *   hide or shorten (`#…`, equal to the link's text, a `mailto:` the template does not start with), or an input over html-to-text's limit.
 * Callers then convert that email's HTML with `htmlToPlainText`. A property test compares both.
 */
import { randomBytes } from 'node:crypto';
import { Parser, parseDocument } from 'htmlparser2';
import { escapeHtml } from './interpolate.js';
import { piecesJoiner } from './pieces.js';

/** Fills the text template with the (unescaped) values, or undefined: convert the HTML instead. */
export type PlainTextTemplate = (values: readonly (string | undefined)[]) => string | undefined;

// Attributes html-to-text never reads with the selectors we use (@react-email/render's).
const IGNORED_ATTRIBUTES = new Set([
  'align',
  'alt',
  'aria-label',
  'bgcolor',
  'border',
  'cellpadding',
  'cellspacing',
  'class',
  'color',
  'content',
  'dir',
  'height',
  'id',
  'lang',
  'name',
  'rel',
  'role',
  'src',
  'srcset',
  'style',
  'target',
  'title',
  'valign',
  'width',
]);
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'plaintext']);
// Words separated by single spaces: no whitespace html-to-text collapses (space, tab, CR, LF, FF,
// zero-width space), nor any other that its list formatting tests with \s (no-break space…).
const WORDS = /^[^\s\u200b]+(?: [^\s\u200b]+)*$/;
// A literal ending like this lets the value complete an entity (`&am` + `p;`) or open a tag,
// end tag or comment (`<` + `b>`, `<!-` + `-`).
const OPEN_ENTITY_OR_TAG = /(?:&#?[A-Za-z0-9]*|<[!?/-]*[ \t\r\n\f]*)$/;
// What a link may hold when its URL has a value: html-to-text compares the URL with the link's
// words, which for these elements are their text (anything else may skip or add text).
const INLINE = new Set(['b', 'strong', 'i', 'em', 'u', 's', 'small', 'big', 'span', 'font', 'sup', 'sub', 'code', 'mark', 'img']);
const MAILTO = /^mailto:/;
const MAX_INPUT = 16_777_216; // html-to-text's default limits.maxInputLength
// The characters HTML templates escape in values, and their escaped form (none is special in a RegExp).
const HTML_SPECIALS = `&<>"'`;
const ESCAPED_SPECIALS = escapeHtml(HTML_SPECIALS);

type Part = string | { index: number; upper: boolean };

interface Link {
  /** The `href` with markers, as the parser decoded it. */
  href: Part[];
  /** Whether html-to-text strips a `mailto:` from the marked `href`: the filled one must agree. */
  mailto: boolean;
  /** The link's text as html-to-text compares it: its words joined, without whitespace. */
  words: string;
}

/**
 * `literals` are the HTML around the values (n + 1 strings for n values); `convert` is the
 * html-to-text conversion the template stands in for.
 */
export function compilePlainText(literals: readonly string[], convert: (html: string) => string): PlainTextTemplate | undefined {
  const count = literals.length - 1;
  if (count <= 0) {
    const text = convert(literals[0] ?? '');
    return () => text;
  }
  if (literals.slice(0, -1).some((l) => OPEN_ENTITY_OR_TAG.test(l))) return undefined;
  const nonce = markerNonce(literals);
  const marker = (i: number) => `${nonce}${i}z`;
  const html = (value: (i: number) => string) => literals.reduce((out, literal, i) => out + (i ? value(i - 1) : '') + literal, '');

  const probe = html(marker);
  const parts = split(convert(probe), nonce, '');
  // Longer values with spaces must land the same way (no wrapping, padding or table layout).
  const padding = ` ${'w'.repeat(40)} v`;
  const long = split(convert(html((i) => marker(i) + padding)), nonce, padding);
  // Values are escaped in the HTML and must come out decoded wherever they land: not so in markup
  // html-to-text passes on as written, such as a declaration (`<!-…`, `</ …`) left open at the end.
  const decoded = split(convert(html((i) => marker(i) + ESCAPED_SPECIALS)), nonce, HTML_SPECIALS);
  if (!parts || !long || !decoded || !sameShape(parts, long) || !sameShape(parts, decoded)) return undefined;

  if (!parsesAlike(probe, nonce)) return undefined;
  const analysis = analyse(probe, nonce);
  if (!analysis) return undefined;
  const shown = new Set(parts.flatMap((p) => (typeof p === 'string' ? [] : [p.index])));
  if (analysis.rawText.some((i) => shown.has(i))) return undefined;
  const guarded = [...new Set([...shown, ...analysis.links.flatMap((l) => l.href.flatMap((p) => (typeof p === 'string' ? [] : [p.index])))])];

  const literalLength = literals.reduce((n, l) => n + l.length, 0);
  const joinText = piecesJoiner(parts.filter((p): p is string => typeof p === 'string'));
  return (values) => {
    for (const i of guarded) {
      const v = values[i];
      if (v === undefined || !WORDS.test(v)) return undefined;
    }
    for (const link of analysis.links) {
      const full = fill(link.href, values);
      if (MAILTO.test(full) !== link.mailto) return undefined;
      const href = full.replace(MAILTO, '');
      if (!href || href[0] === '#' || comparable(href) === comparable(link.words)) return undefined;
    }
    let length = literalLength;
    for (let i = 0; i < count; i++) length += (values[i]?.length ?? 0) * 6; // escaped, at worst `&quot;`
    if (length > MAX_INPUT) return undefined;
    return fill(parts, values, joinText);
  };
}

function fill(parts: readonly Part[], values: readonly (string | undefined)[], join = (pieces: readonly string[]) => pieces.join('')): string {
  return join(parts.map((p) => (typeof p === 'string' ? p : p.upper ? values[p.index]!.toUpperCase() : values[p.index]!)));
}

/** Markers: lower-case letters not found in the template, so a heading's upper-casing shows. */
function markerNonce(literals: readonly string[]): string {
  const all = literals.join('').toLowerCase();
  for (;;) {
    const nonce = `skn${[...randomBytes(8)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`;
    if (!all.includes(nonce)) return nonce;
  }
}

/** The converted probe split at its markers; undefined when a marker came out altered. */
function split(text: string, nonce: string, padding: string): Part[] | undefined {
  const pattern = new RegExp(`${nonce}(\\d+)z${padding}`, 'gi'); // padding: nothing special in a RegExp
  const parts: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    const upper = m[0] === m[0].toUpperCase();
    if (!upper && m[0] !== m[0].toLowerCase()) return undefined;
    parts.push(text.slice(last, m.index), { index: Number(m[1]), upper });
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  // Any other trace of a marker (cut, partly transformed) means the values are not opaque.
  if (parts.some((p) => typeof p === 'string' && p.toLowerCase().includes(nonce))) return undefined;
  return parts;
}

function sameShape(a: readonly Part[], b: readonly Part[]): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => {
      const q = b[i]!;
      return typeof p === 'string' ? p === q : typeof q !== 'string' && p.index === q.index && p.upper === q.upper;
    })
  );
}

interface DomNode {
  type: string;
  name?: string;
  data?: string;
  attribs?: Record<string, string>;
  children?: DomNode[];
}

/** Where the markers sit in the HTML: in which attributes, links and raw-text elements. */
function analyse(probe: string, nonce: string): { links: Link[]; rawText: number[] } | undefined {
  const links: Link[] = [];
  const rawText: number[] = [];
  const markers = (text: string) => [...text.matchAll(new RegExp(`${nonce}(\\d+)z`, 'g'))].map((m) => Number(m[1]));
  let ok = true;
  const walk = (node: DomNode, link: boolean, raw: boolean, table: boolean, list: boolean) => {
    if (!ok) return;
    if (node.type === 'text') {
      const found = markers(node.data ?? '');
      if (found.length && (link || table || list)) ok = false;
      if (raw) rawText.push(...found);
      return;
    }
    if (node.type === 'comment') return;
    const name = node.name?.toLowerCase() ?? '';
    let inLink = link;
    for (const [attribute, value] of Object.entries(node.attribs ?? {})) {
      if (!markers(value).length) continue;
      if (name === 'a' && attribute === 'href') continue;
      if (!IGNORED_ATTRIBUTES.has(attribute.toLowerCase())) ok = false;
    }
    if (name === 'a' && node.attribs?.href) {
      inLink = true;
      const href = node.attribs.href;
      if (markers(href).length) {
        const parts = split(href, nonce, '');
        if (!parts || !plainInline(node)) ok = false;
        else links.push({ href: parts, mailto: MAILTO.test(href), words: words(node) });
      }
    }
    const inTable = table || node.attribs?.['data-text-format'] !== undefined;
    for (const child of node.children ?? []) {
      walk(child, inLink, raw || RAW_TEXT.has(name) || node.type === 'script' || node.type === 'style', inTable, name === 'ul' || name === 'ol');
    }
  };
  walk(parseDocument(probe, { decodeEntities: true }) as unknown as DomNode, false, false, false, false);
  return ok ? { links, rawText } : undefined;
}

/** Whether a link holds only text and plain inline elements (nothing html-to-text skips or adds). */
function plainInline(node: DomNode): boolean {
  return (node.children ?? []).every((child) => {
    if (child.type === 'text') return true;
    if (child.type === 'comment') return true;
    const name = child.name?.toLowerCase() ?? '';
    const attributes = Object.keys(child.attribs ?? {});
    return child.type === 'tag' && INLINE.has(name) && !attributes.some((a) => a.toLowerCase().startsWith('data-')) && plainInline(child);
  });
}

/**
 * Whether the markers sit where a value cannot change how the HTML parses: not in a tag or
 * attribute name, an unquoted attribute value, a comment or a processing instruction.
 */
function parsesAlike(probe: string, nonce: string): boolean {
  let ok = true;
  const has = (text: string | undefined) => text !== undefined && text.toLowerCase().includes(nonce);
  const parser = new Parser(
    {
      onopentagname(name) {
        if (has(name)) ok = false;
      },
      onclosetag(name) {
        if (has(name)) ok = false;
      },
      onattribute(name, value, quote) {
        if (has(name) || (has(value) && quote !== '"' && quote !== "'")) ok = false;
      },
      onprocessinginstruction(name, data) {
        if (has(name) || has(data)) ok = false;
      },
      // A comment's end can depend on its text (`--` + `>`): none with a value in it.
      oncomment(data) {
        if (has(data)) ok = false;
      },
    },
    { decodeEntities: true },
  );
  parser.end(probe);
  return ok;
}

/** A link's text content, whitespace removed (html-to-text compares the joined words). */
function words(node: DomNode): string {
  if (node.type === 'text') return (node.data ?? '').replace(/[ \t\r\n\f\u200b]+/g, '');
  if (node.name === 'img') return '';
  return (node.children ?? []).map(words).join('');
}

/** How a link's URL is compared with its text, loosened so a near-miss also converts for real. */
function comparable(text: string): string {
  return text.replace(/[ \t\r\n\f\u200b]+/g, '').toLowerCase();
}
