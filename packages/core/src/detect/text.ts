/** Small text helpers shared by the detectors. */

/** 1-based line of an offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** 1-based line of the first match of `pattern` (string or RegExp) at or after `from`, or undefined. */
export function findLine(text: string, pattern: string | RegExp, from = 0): number | undefined {
  if (typeof pattern === 'string') {
    const at = text.indexOf(pattern, from);
    return at === -1 ? undefined : lineAt(text, at);
  }
  const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? lineAt(text, m.index) : undefined;
}

/** Replaces comments with spaces (keeping offsets and newlines) so regexes do not match commented-out code. */
export function blankComments(text: string, style: 'sql' | 'js' | 'hash'): string {
  const out = text.split('');
  const blank = (from: number, to: number) => {
    for (let i = from; i < to && i < out.length; i++) if (out[i] !== '\n') out[i] = ' ';
  };
  let i = 0;
  let quote: string | null = null;
  while (i < text.length) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && style === 'js') i += 2;
      else {
        if (c === quote) quote = null;
        i++;
      }
      continue;
    }
    if (c === "'" || c === '"' || (c === '`' && style !== 'hash')) {
      quote = c;
      i++;
      continue;
    }
    const line =
      (style === 'sql' && c === '-' && text[i + 1] === '-') || (style === 'js' && c === '/' && text[i + 1] === '/') || (style === 'hash' && c === '#');
    if (line) {
      const end = text.indexOf('\n', i);
      blank(i, end === -1 ? text.length : end);
      i = end === -1 ? text.length : end;
      continue;
    }
    if (style !== 'hash' && c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      blank(i, stop);
      i = stop;
      continue;
    }
    i++;
  }
  return out.join('');
}

/** Index just after the bracket that closes the one at `open` (`(`, `{` or `[`), skipping strings; -1 if unbalanced. */
export function matchBracket(text: string, open: number): number {
  const pairs: Record<string, string> = { '(': ')', '{': '}', '[': ']' };
  const stack: string[] = [];
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (pairs[c]) stack.push(pairs[c]);
    else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return i + 1;
    }
  }
  return -1;
}

/** Splits on commas outside brackets and strings; each part with its start offset. */
export function splitTopLevel(text: string, offset = 0): { text: string; start: number }[] {
  const parts: { text: string; start: number }[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push({ text: text.slice(start, i), start: offset + start });
      start = i + 1;
    }
  }
  parts.push({ text: text.slice(start), start: offset + start });
  return parts.filter((p) => p.text.trim() !== '');
}

/** `"users"`, `` `users` ``, `[users]`, `public.users` → `users` (the last part, unquoted). */
export function unquoteIdentifier(name: string): string {
  const last = name.split('.').pop() ?? name;
  return last.replace(/^["`[]|["`\]]$/g, '');
}
