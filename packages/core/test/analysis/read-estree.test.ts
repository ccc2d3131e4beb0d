/**
 * A config's first reading without TypeScript (read-estree.ts): whatever it reads, TypeScript
 * parses without a syntax error into the same values — property-tested over every fixture and
 * random edits of them, and case by case where JavaScript and TypeScript read the same text
 * differently. It must also read the configs people write (else it would prove nothing).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseConfigDocument } from '@skene/core';
import { generatedConfig } from '../../../../bench/stats.js';
import { parseTypeScript } from '../../src/analysis/document.js';
import { readDefaultExportAsJavaScript, readObjectAloneAsJavaScript } from '../../src/analysis/read-estree.js';
import { readDefaultExport, standaloneValue } from '../../src/analysis/read-values.js';
import { MAX_VALUES, readDepth, treeReading } from '../../src/analysis/value-reading.js';
import type { ValueNode } from '../../src/analysis/values.js';
import type TS from 'typescript';
import { edit, fixtures } from './config-corpus.js';

/** What a reading gives the incremental reader besides values: each object's recorded depth, and how the tree was read. */
function annotations(root: ValueNode | undefined): unknown {
  if (!root) return undefined;
  const depths: (number | undefined)[] = [];
  const visit = (node: ValueNode): void => {
    if (node.kind === 'object') {
      depths.push(readDepth(node));
      node.properties.forEach((p) => p.value && visit(p.value));
    } else if (node.kind === 'array') node.items.forEach(visit);
  };
  visit(root);
  return { reading: treeReading(root), depths };
}

/** The JavaScript reading, when there is one, must be TypeScript's: no syntax error, the same values and annotations. */
function assertSameReading(text: string): boolean {
  const fast = readDefaultExportAsJavaScript(text);
  if (!fast) return false;
  const sourceFile = parseTypeScript(text, 'skene.config.ts');
  const errors = (sourceFile as unknown as { parseDiagnostics: { messageText: unknown }[] }).parseDiagnostics;
  assert.deepEqual(
    errors.map((e) => e.messageText),
    [],
    `read without TypeScript, yet TypeScript finds a syntax error in:\n${text}`,
  );
  const typescript = readDefaultExport(sourceFile);
  assert.deepStrictEqual(fast, typescript, `the readings differ for:\n${text}`);
  assert.deepStrictEqual(annotations(fast.root), annotations(typescript.root));
  return true;
}

describe('a config read without TypeScript', () => {
  test('reads what TypeScript reads, over every fixture and random edits of it', { timeout: 120_000 }, (t) => {
    let read = 0;
    let texts = 0;
    for (const fixture of fixtures) {
      texts++;
      if (assertSameReading(fixture)) read++;
      fc.assert(
        fc.property(edit(fixture, parseConfigDocument(fixture)), (text) => {
          texts++;
          if (assertSameReading(text)) read++;
        }),
        { numRuns: 60 },
      );
    }
    // Many random edits break the syntax (TypeScript reads those); if few texts were read here,
    // this test would prove nothing about this reader.
    assert.ok(read > texts / 5, `only ${read} of ${texts} texts were read without TypeScript`);
    t.diagnostic(`${read} of ${texts} texts read without TypeScript`);
  });

  test('reads the configs people write: every fixture in plain JavaScript, and 200 loops', () => {
    const plain = fixtures.filter((f) => !/ as const|satisfies /.test(f));
    const declined = plain.filter((f) => !assertSameReading(f));
    assert.deepEqual(declined, [], 'fixtures without TypeScript syntax read without TypeScript');
    assert.ok(assertSameReading(generatedConfig(200)));
    assert.ok(plain.length > 10, `${plain.length} fixtures`);
  });

  test('reads JavaScript as TypeScript does: wrappers, numbers, strings, keys, consts and exports', () => {
    const cases = [
      `export default (defineConfig)({ loops: [] });`,
      `export default defineLoop(...[{ id: 'a' }]);`,
      `export default { a: -1, b: -(1), c: - 2, d: -0x10, e: 1_000, f: 0b101, g: .5, h: 5., i: 1e400, j: 10n, k: -10n };`,
      `export default { 'a': 1, "b": 2, 3: 3, 'c-d': 4, a: 5, \\u0061b: 6 };`,
      'export default { a: `x\\ny`, b: `multi\r\nline`, c: `${1}`, d: "\\u{1F600}", e: \'\\\r\n\' };',
      `export default { m() { return 1; }, get g() { return 2; }, set s(v) {}, async n() {}, *o() {}, p: function () {}, q: () => 1 };`,
      `export default [1, , 2, ...[3, 4], ...x, ...'ab', null, true, false, undefined, this, new Date()];`,
      `const base = { a: 1 }; export default { ...base, b: 2, ...{ c: 3 }, ...null, base };`,
      `const l = [...l]; export default l;`,
      `const a = b; const b = a; export default { a, b };`,
      `const welcome = { id: 'w' };\nexport { welcome as default };`,
      `const welcome = { id: 'w' };\nexport { welcome as 'default' };`,
      `export const a = { id: 'a' }, b = [a, a];\nexport default b;`,
      `export default function () { return { id: 'x' }; }`,
      `export default class {}`,
      `export default (function () {});`,
      `export default async () => ({});`,
      `let a = { id: 'a' }; var b = a; export default [a, b];`,
      `#!/usr/bin/env node\nexport default {};`,
      `import x from './x.js';\nimport * as y from 'y';\nexport * from './z.js';\nexport default { x, y };`,
      `export { a as default } from './a.js';`,
      `export default { a: 1 }\nexport const b = 2`,
      `/** doc */ export /* c */ default /* d */ { /* e */ a /* f */ : /* g */ 1 /* h */ } /* i */ ;`,
      `export default {}; if (true) { label: for (;;) break label; }`,
      `export default { a: b ? c : d, e: f?.g, h: i ?? j, k: l || m, n: o > p };`,
      `export default { a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]] };`,
    ];
    for (const text of cases) assert.ok(assertSameReading(text), `read without TypeScript:\n${text}`);
  });

  test('reads consts that double the tree at each line as far as a budget, both readers alike', { timeout: 60_000 }, () => {
    const consts = Array.from({ length: 24 }, (_, i) => (i === 0 ? 'const c0 = { id: 1 };' : `const c${i} = [c${i - 1}, c${i - 1}];`));
    const text = `${consts.join('\n')}\nexport default c23;`;
    assert.ok(assertSameReading(text));
    let read = 0;
    const count = (node: ValueNode): void => {
      read++;
      if (node.kind === 'array') node.items.forEach(count);
    };
    count(readDefaultExportAsJavaScript(text)!.root!);
    assert.ok(read <= MAX_VALUES + 24, `${read} values read`);
  });

  test('reads a loop alone as TypeScript does (an edited loop, incremental.ts)', () => {
    let loops = 0;
    for (const fixture of fixtures) {
      const doc = parseConfigDocument(fixture);
      for (const { node } of doc.loops) {
        const depth = readDepth(node);
        if (node.kind !== 'object' || depth === undefined) continue;
        const text = `export default (${fixture.slice(node.range.start, node.range.end)})`;
        const sourceFile = parseTypeScript(text, 'skene.config.ts');
        const object = ((sourceFile.statements[0] as TS.ExportAssignment).expression as TS.ParenthesizedExpression).expression;
        const alone = readObjectAloneAsJavaScript({ text, objectStart: 16, depth });
        assert.deepStrictEqual(alone, standaloneValue(object, sourceFile, depth));
        if (alone) loops++;
      }
    }
    assert.ok(loops > 20, `${loops} loops read alone`);
    const nested = (n: number) => `export default ({ a: ${'['.repeat(n)}${']'.repeat(n)} })`;
    assert.ok(readObjectAloneAsJavaScript({ text: nested(30), objectStart: 16, depth: 1 }));
    assert.equal(readObjectAloneAsJavaScript({ text: nested(150), objectStart: 16, depth: 1 }), undefined, 'nesting past the limit');
    assert.equal(readObjectAloneAsJavaScript({ text: `export default ({ a }, b)`, objectStart: 16, depth: 1 }), undefined);
    assert.equal(readObjectAloneAsJavaScript({ text: `export default ({ a: b })`, objectStart: 16, depth: 1 }), undefined, 'a const');
  });

  test('leaves to TypeScript what JavaScript reads differently, TypeScript syntax and syntax errors', () => {
    const cases = [
      // TypeScript reads a type argument where JavaScript reads comparisons.
      `export default [defineLoop < Loop, X > ({ id: 'a' })];`,
      `export default { a: f << g };`,
      `export default { a: /x/g };`,
      `export default defineLoop?.({ id: 'a' });`,
      `export default { ['a']: 1 };`,
      `export default { 0x10: 1 };`,
      `export default { 1e3: 1 };`,
      `export default { 1n: 1 };`,
      `export default { id: 'a' } as const;`,
      `export default { id: 'a' } satisfies Loop;`,
      `const a: Loop = { id: 'a' }; export default a;`,
      `import type { Loop } from '@skene/sdk'; export default {};`,
      `export default { id: 'a' `,
      `export default { a: 1 }; export default { b: 2 };`,
      `const a = 1; const a = 2; export default a;`,
      `export default { a: 010 };`,
      `with (x) {} export default {};`,
      `export default ${'['.repeat(5000)}${']'.repeat(5000)};`,
      `using x = y; export default {};`,
      // What a review with hostile input found JavaScript and TypeScript read differently.
      'export default { \u1C89: 1, a\u0558: 2 };',
      'export default { a: 0x20000000000001F, b: -0b1000000000000000000000000000000000000000000000000000011111 };',
      'export default (x)\n{}',
      'export default () => { return (x)\n{} }',
      'export default { a: a ? b ? (c) : d => e : f };',
      'export default {}; switch (0) { case (x): y => z; }',
      'export default class { #x; m(a) { return a?.#x } }',
      '/// <reference foo="x" />\nexport default {};',
      'await {} - x;',
      'await !as\nexport default 1',
      `export default await Promise.resolve({ id: 'a' });`,
      `/** @type {${'('.repeat(2000)}a${')'.repeat(2000)}} */\nexport default { a: 1 };`,
      `export default { a: ${'2 ** '.repeat(5000)}1 };`,
      `export default { a: ${'!'.repeat(5000)}1 };`,
    ];
    for (const text of cases) assert.equal(readDefaultExportAsJavaScript(text), undefined, `declined:\n${text}`);
    // Declined is not wrong: the document is TypeScript's reading, syntax errors and all.
    assert.equal(parseConfigDocument(cases[8]!).root?.kind, 'object');
    assert.equal(parseConfigDocument(cases[12]!).syntaxErrors.length, 1);
  });
});
