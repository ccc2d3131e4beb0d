/**
 * Configs to read in property tests (incremental.test.ts, read-estree.test.ts): every fixture, configs
 * written every way the readers know, and random edits as typing makes them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { ConfigDocument } from '@skene/core';
import { typedFragments } from './fixture.js';

export const root = fileURLToPath(new URL('../../../../', import.meta.url));
const configsIn = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .map((d) => join(dir, d, 'skene.config.ts'))
        .filter(existsSync)
    : [];

const loop = (i: number) => `{
    id: 'loop-${i}',
    type: 'activation',
    opinion: 'Welcome ${i}',
    steps: [{
      trigger: { type: 'database', table: 'users', event: 'insert' },
      condition: { type: 'query', query: \`SELECT * FROM user_actions WHERE user_id = $1 AND n = ${i}\`, timeout: '5m' },
      action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
    }],
  }`;

/** Configs written every way the reader knows: a config of loops, loops through consts, spreads, one loop read twice. */
export const written = [
  `import { defineConfig } from '@skene/sdk';\n\nexport default defineConfig({\n  database: { url: process.env.DATABASE_URL },\n  loops: [\n  ${[0, 1, 2, 3].map(loop).join(',\n  ')},\n  ],\n});\n`,
  `const welcome = defineLoop(${loop(0)});\nconst again = ${loop(1)};\nexport default [welcome, again, ${loop(2)}];\n`,
  `const base = { type: 'activation', opinion: 'shared' };\nexport default [{ ...base, id: 'a', steps: [] }, ${loop(1)}, { ...base, id: 'b' }];\n`,
  `const twice = ${loop(0)};\nexport default [twice, twice, ${loop(1)}];\n`,
  `const base = ${loop(0)};\nexport default [base, { ...base, id: 'variant' }, ${loop(1)}];\n`,
  `const empty = {};\nexport default [empty, { ...empty }, ${loop(1)}];\n`,
  `export default [${loop(0)}, ${loop(1)}] as const;\nconst late = { id: 'late' };\n`,
  `const loops = [${loop(0)}, ${loop(1)}];\nexport { loops as default };\n`,
  `export default defineLoop(${loop(7)});\n`,
];

export const fixtures = [
  ...[...configsIn(join(root, 'test/fixtures/seeds')), ...configsIn(join(root, 'examples'))].map((f) => readFileSync(f, 'utf8')),
  ...written,
];

// Also what JavaScript and TypeScript read differently (`<`, `as`, `!`), for read-estree.test.ts.
const fragments = fc.constantFrom(
  ...typedFragments,
  ' ',
  'x',
  '7',
  'id: ',
  "'a'",
  '...',
  '(',
  '-1',
  'true',
  'null',
  'await',
  'f(',
  'import.meta',
  '<',
  '>',
  ' as ',
  '!',
  '?.',
  '/',
  '0x1',
  '1n',
  '@',
);

/** One edit: mostly inside a loop (where the incremental path applies), sometimes anywhere. */
export function edit(text: string, doc: ConfigDocument): fc.Arbitrary<string> {
  const inLoop = doc.loops.length
    ? fc.tuple(fc.nat({ max: doc.loops.length - 1 }), fc.nat()).map(([i, n]) => {
        const { start, end } = doc.loops[i]!.node.range;
        return start + (n % Math.max(1, end - start));
      })
    : fc.nat({ max: text.length });
  const at = fc.oneof({ weight: 4, arbitrary: inLoop }, { weight: 1, arbitrary: fc.nat({ max: text.length }) });
  return fc.oneof(
    fc.tuple(at, fc.nat({ max: 6 })).map(([a, n]) => text.slice(0, a) + text.slice(a + n)),
    fc.tuple(at, fc.array(fragments, { minLength: 1, maxLength: 3 })).map(([a, f]) => text.slice(0, a) + f.join('') + text.slice(a)),
    fc.tuple(at, fc.nat({ max: 4 }), fc.string({ maxLength: 4 })).map(([a, n, s]) => text.slice(0, a) + s + text.slice(a + n)),
  );
}
