/** Fixture text with a `|` cursor marker, parsed as the config beside fixtures/app (emails/, migrations/). */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProjectContext, parseConfigDocument, prepareAnalysis, type ConfigDocument, type ProjectContext } from '../../src/index.ts';

export const APP = fileURLToPath(new URL('./fixtures/app/', import.meta.url));
export const CONFIG = join(APP, 'skene.config.ts');

let project: ProjectContext | undefined;
export async function appProject(): Promise<ProjectContext> {
  await prepareAnalysis();
  return (project ??= loadProjectContext(CONFIG));
}

export function at(marked: string): { doc: ConfigDocument; offset: number; text: string } {
  const offset = marked.indexOf('|');
  if (offset === -1 || marked.includes('|', offset + 1)) throw new Error(`expected one | marker in ${marked}`);
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  return { doc: parseConfigDocument(text, CONFIG), offset, text };
}

/** Applies offset-based edits (non-overlapping) to a text. */
export function applyEdits(text: string, edits: { range: { start: number; end: number }; newText: string }[]): string {
  for (const e of [...edits].sort((a, b) => b.range.start - a.range.start)) text = text.slice(0, e.range.start) + e.newText + text.slice(e.range.end);
  return text;
}

/** Wraps a step in a loop (most fixtures only care about one step). */
export const loop = (step: string) => `import { defineLoop } from '@skene/sdk';
export default defineLoop({
  type: 'activation',
  opinion: 'Welcome',
  steps: [{ ${step} }],
});
`;

/** A loop with a goal (`|` inside it) and one database step. */
export const goalLoop = (goal: string) => `import { defineLoop } from '@skene/sdk';
export default defineLoop({
  type: 'activation',
  opinion: 'Welcome',
  goal: ${goal},
  steps: [{ trigger: { type: 'database', table: 'users', event: 'insert' } }],
});
`;
