/**
 * `{{path}}` templates compiled once per step, not scanned again for every email (the one engine:
 * `compilePlaceholders`; an absent value renders empty and is reported by its path).
 */
import { compilePlaceholders, contextResolver, type TemplateContext } from '../email/index.js';

export type CompiledTemplate = (context: TemplateContext) => { value: string; missing: string[] };

export function compileTemplate(text: string): CompiledTemplate {
  const fill = compilePlaceholders(text);
  return (context) => fill(contextResolver(context));
}
