/** A value of a schema's shape with its required keys, as text: for completion (with tab stops) and the missing-field fix. */
import type { z } from 'zod';
import { shapeOf, unwrapSchema } from '../analysis/schema-walk.js';

type Schema = z.ZodType;
interface Def {
  type: string;
  options?: Schema[];
  entries?: Record<string, string>;
  values?: unknown[];
  element?: Schema;
}

/** `{ type: 'database', table: '${1}', event: '${2|insert,update,delete|}' }` (snippet) or `{ type: 'database', table: '', event: 'insert' }`. */
export function skeleton(schema: Schema, snippet: boolean): string {
  const stop = { n: 1 };
  const tab = (fallback: string, choices?: string[]) =>
    snippet ? (choices ? `\${${stop.n++}|${choices.join(',')}|}` : `\${${stop.n++}${fallback ? `:${fallback}` : ''}}`) : choices ? choices[0] : fallback;
  const walk = (s: Schema, depth: number): string => {
    const inner = unwrapSchema(s).schema;
    const d = (inner as unknown as { def: Def }).def;
    if (d.type === 'union' && d.options?.[0]) return walk(d.options[0], depth);
    if (d.type === 'object') {
      if (depth > 3) return '{}';
      const parts = Object.entries(shapeOf(inner) ?? {})
        .filter(([, f]) => !unwrapSchema(f).optional)
        .map(([k, f]) => `${k}: ${walk(f, depth + 1)}`);
      return parts.length ? `{ ${parts.join(', ')} }` : '{}';
    }
    if (d.type === 'literal') return `'${String(d.values?.[0])}'`;
    if (d.type === 'enum') return `'${tab('', Object.values(d.entries ?? {}))}'`;
    if (d.type === 'array') return d.element && depth <= 2 ? `[${walk(d.element, depth + 1)}]` : '[]';
    if (d.type === 'number') return tab('0');
    if (d.type === 'boolean') return tab('false');
    if (d.type === 'record') return '{}';
    return `'${tab('')}'`;
  };
  return walk(schema, 1);
}
