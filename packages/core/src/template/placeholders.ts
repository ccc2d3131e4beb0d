/**
 * `{{path}}` placeholders in personalization values, `to`, `subject`, Redis commands and HTML templates.
 * One scanner, used by static analysis (well-formedness, roots, columns) and by rendering.
 */
import { TEMPLATE_ROOTS } from '@skene/sdk/template-roots';

// The roots are part of the config language: defined once, in the schema.
export { TEMPLATE_ROOTS };
export type TemplateRoot = (typeof TEMPLATE_ROOTS)[number];

export interface Placeholder {
  /** Offsets in the scanned text: `start` at the first `{`, `end` after the last `}`. */
  start: number;
  end: number;
  /** The trimmed expression between the braces, e.g. `user.name`. */
  expression: string;
  /** `['user', 'name']`; empty when the expression is not a dotted path. */
  path: string[];
}

export interface PlaceholderProblem {
  start: number;
  end: number;
  kind: 'unclosed' | 'unopened' | 'empty' | 'not-a-path';
  message: string;
}

const PATH = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*|\.\d+)*$/;

/** `text` split around its placeholders: `literals` has one more entry than `placeholders`. */
export function splitAtPlaceholders(text: string): { placeholders: Placeholder[]; literals: string[] } {
  const { placeholders } = scanPlaceholders(text);
  const literals: string[] = [];
  let last = 0;
  for (const p of placeholders) {
    literals.push(text.slice(last, p.start));
    last = p.end;
  }
  literals.push(text.slice(last));
  return { placeholders, literals };
}

export function scanPlaceholders(text: string): { placeholders: Placeholder[]; problems: PlaceholderProblem[] } {
  const placeholders: Placeholder[] = [];
  const problems: PlaceholderProblem[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    const strayClose = text.indexOf('}}', i);
    if (strayClose !== -1 && (open === -1 || strayClose < open)) {
      problems.push({ start: strayClose, end: strayClose + 2, kind: 'unopened', message: '`}}` without a matching `{{`' });
      i = strayClose + 2;
      continue;
    }
    if (open === -1) break;
    const close = text.indexOf('}}', open + 2);
    const nextOpen = text.indexOf('{{', open + 2);
    if (close === -1 || (nextOpen !== -1 && nextOpen < close)) {
      const end = nextOpen === -1 ? text.length : nextOpen;
      problems.push({ start: open, end, kind: 'unclosed', message: '`{{` is never closed: write `{{path}}`, for example `{{user.name}}`' });
      i = end;
      continue;
    }
    const expression = text.slice(open + 2, close).trim();
    const end = close + 2;
    if (!expression) {
      problems.push({ start: open, end, kind: 'empty', message: 'empty placeholder `{{}}`: name a value, for example `{{user.name}}`' });
    } else if (!PATH.test(expression)) {
      problems.push({
        start: open,
        end,
        kind: 'not-a-path',
        message: `\`{{${expression}}}\` is not a path: placeholders are dotted paths such as \`{{user.name}}\``,
      });
    } else {
      placeholders.push({ start: open, end, expression, path: expression.split('.') });
    }
    i = end;
  }
  return { placeholders, problems };
}
