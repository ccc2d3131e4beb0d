/**
 * `{{path}}` interpolation over the template context (`user`, `row`, `match`, `loop`, `now`).
 * Uses the one placeholder scanner (`template/placeholders.ts`); a value that is absent
 * (null, undefined, an unknown root or field) is reported by its path and rendered as
 * the empty string — never as the text "undefined".
 */
import { splitAtPlaceholders, TEMPLATE_ROOTS, type TemplateRoot } from '../template/placeholders.js';

export type TemplateRow = Record<string, unknown>;

/** What `{{…}}` can refer to when an email is rendered. */
export interface TemplateContext {
  /** The recipient's users row. */
  user?: TemplateRow | null;
  /** The triggering row (database triggers). */
  row?: TemplateRow | null;
  /** The first row returned by the condition query (database triggers). */
  match?: TemplateRow | null;
  /** The loop being evaluated (`id`, `type`, `opinion`, …). */
  loop?: TemplateRow | null;
  /** The (possibly pinned) clock. */
  now?: Date | string | null;
}

export interface InterpolationResult {
  value: string;
  /** Paths (`user.name`) with no value, in order of first appearance, without duplicates. */
  missing: string[];
}

/** Replaces every `{{path}}` in `text` with its value in `context`. */
export function interpolate(text: string, context: TemplateContext): InterpolationResult {
  return compilePlaceholders(text)(contextResolver(context));
}

/** Resolves a placeholder path over the template context's roots; unknown roots resolve to nothing. */
export function contextResolver(context: TemplateContext): (path: string[]) => unknown {
  return (path) => {
    const root = path[0] as TemplateRoot;
    if (!(TEMPLATE_ROOTS as readonly string[]).includes(root)) return undefined;
    return lookupPath((context as Record<string, unknown>)[root], path, 1);
  };
}

/**
 * The engine behind `interpolate` and the HTML templates: `resolve` maps a path to a raw
 * value; `escape` (if given) is applied to each formatted value. Malformed placeholders
 * (`{{ unclosed`, `{{a b}}`) are left as written: static analysis reports them.
 */
export function replacePlaceholders(text: string, resolve: (path: string[]) => unknown, escape?: (value: string) => string): InterpolationResult {
  return compilePlaceholders(text)(resolve, escape);
}

export type CompiledPlaceholders = (resolve: (path: string[]) => unknown, escape?: (value: string) => string) => InterpolationResult;

/**
 * `text` scanned once and split around its placeholders, ready to fill many times: a plan over
 * 100,000 rows fills the same few strings 100,000 times.
 */
export function compilePlaceholders(text: string): CompiledPlaceholders {
  const { placeholders, literals } = splitAtPlaceholders(text);
  if (placeholders.length === 0) return () => ({ value: text, missing: [] });
  const none: string[] = Object.freeze([]) as unknown as string[]; // shared: most fills miss nothing
  return (resolve, escape) => {
    let missing = none;
    let value = literals[0]!;
    for (let i = 0; i < placeholders.length; i++) {
      const p = placeholders[i]!;
      const formatted = formatValue(resolve(p.path));
      if (formatted === undefined) {
        if (missing === none) missing = [];
        if (!missing.includes(p.expression)) missing.push(p.expression);
      } else {
        value += escape ? escape(formatted) : formatted;
      }
      value += literals[i + 1]!;
    }
    return { value, missing };
  };
}

/**
 * Follows `path` (from index `from`) into `value` (objects by key, arrays by index); undefined
 * when any step is absent.
 */
export function lookupPath(value: unknown, path: readonly string[], from = 0): unknown {
  let current = value;
  for (let i = from; i < path.length; i++) {
    const key = path[i]!;
    if (current === null || current === undefined) return undefined;
    if (typeof current !== 'object' && typeof current !== 'function') return undefined;
    if (current instanceof Date) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * A value as email text: strings as they are, Dates as ISO strings, numbers, bigints and
 * booleans with `String`, Buffers as UTF-8, other objects (JSON columns) as JSON.
 * `undefined` means "missing": null, undefined, an invalid Date, a function or a symbol.
 */
export function formatValue(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof Buffer !== 'undefined' && Buffer.isBuffer(value)) return value.toString('utf8');
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
  } catch {
    return String(value);
  }
}

const HTML_SPECIAL = /[&<>"']/;
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  // Most values (names, links) have nothing to escape: test first, replace only then.
  return HTML_SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!) : text;
}
