/**
 * `{{path}}` templates compiled once per step, not scanned again for every email: a plan over
 * 100,000 rows interpolates the same few strings 100,000 times. Same rules as `interpolate`
 * (the one scanner; an absent value renders empty and is reported by its path).
 */
import { scanPlaceholders, TEMPLATE_ROOTS } from '../template/placeholders.js';
import { formatValue, lookupPath, type TemplateContext } from '../email/index.js';

export type CompiledTemplate = (context: TemplateContext) => { value: string; missing: string[] };

const NO_MISSING: string[] = [];

export function compileTemplate(text: string): CompiledTemplate {
  const { placeholders } = scanPlaceholders(text);
  if (placeholders.length === 0) return () => ({ value: text, missing: NO_MISSING });
  const literals: string[] = [];
  let last = 0;
  for (const p of placeholders) {
    literals.push(text.slice(last, p.start));
    last = p.end;
  }
  const tail = text.slice(last);
  const paths = placeholders.map((p) => ({ root: p.path[0]!, rest: p.path.slice(1), expression: p.expression, known: (TEMPLATE_ROOTS as readonly string[]).includes(p.path[0]!) }));
  return (context) => {
    let value = '';
    let missing = NO_MISSING;
    for (let i = 0; i < paths.length; i++) {
      value += literals[i];
      const p = paths[i]!;
      const formatted = p.known ? formatValue(lookupPath((context as Record<string, unknown>)[p.root], p.rest)) : undefined;
      if (formatted === undefined) {
        if (missing === NO_MISSING) missing = [];
        if (!missing.includes(p.expression)) missing.push(p.expression);
      } else value += formatted;
    }
    return { value: value + tail, missing };
  };
}
