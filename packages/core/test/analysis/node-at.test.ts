/**
 * nodeAt finds the node under the cursor by binary search over each level's children (a
 * 200-loop config's loops array has 400). Held here to the plain scan it replaced, at every
 * offset of every fixture, of configs with JSDoc (whose nodes come first among a node's children,
 * out of order by position) and comments, and of random edits, broken syntax included.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type TS from 'typescript';
import { parseConfigDocument } from '@skene/core';
import { nodeAt, ts } from '../../src/analysis/syntax.js';
import { edit, fixtures } from './config-corpus.js';

/** The scan nodeAt did before: every child of each level, in order. */
function scanNodeAt(sourceFile: TS.SourceFile, offset: number): TS.Node {
  let node: TS.Node = sourceFile;
  outer: for (;;) {
    let touching: TS.Node | undefined;
    for (const child of node.getChildren(sourceFile)) {
      if (child.end <= child.pos || child.kind === ts.SyntaxKind.EndOfFileToken) continue;
      const start = child.getStart(sourceFile);
      if (start > offset || offset > child.end) continue;
      if (start < offset && offset < child.end) {
        node = child;
        continue outer;
      }
      if (!touching || (isPunctuation(touching) && !isPunctuation(child))) touching = child;
    }
    if (!touching) return node;
    node = touching;
  }
}

const isPunctuation = (node: TS.Node) => node.kind >= ts.SyntaxKind.FirstPunctuation && node.kind <= ts.SyntaxKind.LastPunctuation;

const commented = `import { defineConfig } from '@skene/sdk';

/** The config. */
export default defineConfig({
  /** Where the users are. */
  database: { url: process.env.DATABASE_URL /* from the environment */ },
  loops: [
    /** The first loop. */
    {
      id: 'welcome', // a trailing comment
      /**
       * What it is for.
       */
      type: 'activation',
      steps: [/* none yet */],
    },
    // between loops
    { id: 'two', type: 'retention', steps: [,] },
  ],
});
`;

function assertSameEverywhere(text: string): void {
  const sf = parseConfigDocument(text, 'skene.config.ts').sourceFile;
  for (let offset = 0; offset <= text.length; offset++) {
    const expected = scanNodeAt(sf, offset);
    const found = nodeAt(sf, offset);
    if (found !== expected)
      assert.fail(`offset ${offset}: nodeAt found ${ts.SyntaxKind[found.kind]} at ${found.pos}, the scan ${ts.SyntaxKind[expected.kind]} at ${expected.pos}`);
  }
}

test('nodeAt finds what a scan of every child finds, at every offset of every fixture', () => {
  for (const text of [...fixtures, commented]) assertSameEverywhere(text);
});

test('nodeAt finds what the scan finds in edited configs, broken ones included', () => {
  const texts = [...fixtures, commented];
  fc.assert(
    fc.property(
      fc.nat({ max: texts.length - 1 }).chain((i) => edit(texts[i]!, parseConfigDocument(texts[i]!, 'skene.config.ts'))),
      (text) => assertSameEverywhere(text),
    ),
    { numRuns: 60 },
  );
});
