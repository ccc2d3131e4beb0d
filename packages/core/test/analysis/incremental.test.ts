/**
 * The language server reads an edited config from its last version's parse (incremental.ts): an
 * edit inside one loop reparses that loop alone. Whatever the edit, the document and its
 * diagnostics must be exactly those of a whole parse — property-tested over the fixtures, with
 * edits that land mostly inside loops, several in a row as typing does.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { loadProjectContext, parseConfigDocument, prepareAnalysis, validate, type ConfigDocument, type ProjectContext } from '@skene/core';
import { reparseConfigDocument, updateDocument } from '../../src/analysis/incremental.js';
import { exportIssues, exportPlain } from '../../src/analysis/schema-issues.js';
import { rootSchema } from '../../src/analysis/schema-walk.js';
import { toPlain } from '../../src/analysis/values.js';
import { edit, fixtures, root, written } from './config-corpus.js';

const asData = (doc: ConfigDocument) => ({
  text: doc.text,
  shape: doc.shape,
  root: doc.root,
  loops: doc.loops,
  exportRange: doc.exportRange,
  syntaxErrors: doc.syntaxErrors,
});

let project: ProjectContext;
before(async () => {
  await prepareAnalysis();
  project = loadProjectContext(join(root, 'packages/core/test/fixtures/project/skene.config.ts'));
});

describe('a config read from its last version', () => {
  test('equals a whole parse after any run of edits, document and diagnostics', { timeout: 120_000 }, () => {
    let incremental = 0;
    let edits = 0;
    fixtures.forEach((fixture) => {
      fc.assert(
        fc.property(
          fc
            .array(fc.nat(), { minLength: 1, maxLength: 4 })
            .chain<string[]>((steps) =>
              steps.reduce<fc.Arbitrary<string[]>>(
                (arb) => arb.chain((texts) => edit(texts.at(-1)!, parseConfigDocument(texts.at(-1)!)).map((t) => [...texts, t])),
                fc.constant<string[]>([fixture]),
              ),
            ),
          (texts) => {
            let previous = parseConfigDocument(texts[0]!);
            for (const text of texts.slice(1)) {
              edits++;
              if (updateDocument(previous, text)) incremental++;
              const read = reparseConfigDocument(previous, text);
              const whole = parseConfigDocument(text);
              assert.deepStrictEqual(asData(read), asData(whole));
              assert.deepStrictEqual(validate(read, { project }), validate(whole, { project }));
              // Loop by loop, with the loops an edit only moved taken from before: what one whole
              // conversion and one safeParse of the export give.
              const plain = exportPlain(read);
              assert.deepStrictEqual(plain, toPlain(whole.root));
              const issues = whole.shape ? (rootSchema(whole.shape).safeParse(toPlain(whole.root)).error?.issues ?? []) : [];
              assert.deepStrictEqual(exportIssues(read, plain), issues);
              previous = read;
            }
            // The tree the language services read is the whole file's, parsed when first asked for.
            assert.equal(previous.sourceFile.text, texts.at(-1));
          },
        ),
        { numRuns: 40 },
      );
    });
    // Most edits land in a loop, but many break the syntax, and later edits of a broken file are
    // parsed whole (a quarter to a third are read incrementally): if few were, this test would
    // prove nothing about that path.
    assert.ok(incremental > edits / 10, `only ${incremental} of ${edits} edits were read incrementally`);
  });

  test('an edit inside a loop reads that loop alone; across its braces, or in a loop read twice, the whole file', () => {
    const text = written[0]!;
    const previous = parseConfigDocument(text);
    const at = text.indexOf("'Welcome 2'") + 1;
    const inside = updateDocument(previous, text.slice(0, at) + 'Hello, ' + text.slice(at));
    assert.ok(inside, 'an edit inside a string of loop 2 is read incrementally');
    assert.equal(inside.loops[0]!.node, previous.loops[0]!.node, 'the loops before the edit are kept as they are');
    assert.equal(inside.loops[3]!.node.range.start - previous.loops[3]!.node.range.start, 'Hello, '.length);

    const brace = text.indexOf('{\n    id: ' + "'loop-2'");
    assert.equal(updateDocument(previous, text.slice(0, brace) + text.slice(brace + 1)), undefined, 'a loop brace removed');

    const twice = written[3]!;
    const atTwice = twice.indexOf("'Welcome 0'") + 1;
    assert.equal(updateDocument(parseConfigDocument(twice), twice.slice(0, atTwice) + 'X' + twice.slice(atTwice)), undefined, 'a loop read twice');

    const consts = written[1]!;
    const atConst = consts.indexOf("'Welcome 0'") + 1;
    assert.ok(updateDocument(parseConfigDocument(consts), consts.slice(0, atConst) + 'X' + consts.slice(atConst)), 'a loop written as a const');

    // A loop spread into its variant, which overrides every key it took: nothing of the loop's
    // ranges is left in the variant, but an added key would be.
    const variant = `const base = { id: 'a' };\nexport default [base, { ...base, id: 'b' }];\n`;
    const added = variant.replace("{ id: 'a' }", "{ id: 'a', type: 'activation' }");
    assert.equal(updateDocument(parseConfigDocument(variant), added), undefined, 'a loop spread elsewhere');
    assert.deepStrictEqual(asData(reparseConfigDocument(parseConfigDocument(variant), added)), asData(parseConfigDocument(added)));
  });

  test('an edit that keeps the length keeps the loops after it as they are; one that changes it moves them', () => {
    const text = written[0]!;
    const previous = parseConfigDocument(text);
    const at = text.indexOf("'Welcome 1'") + 1;
    const replaced = text.slice(0, at) + 'w' + text.slice(at + 1); // `Welcome` → `welcome`: one character for one
    const same = updateDocument(previous, replaced);
    assert.ok(same, 'read incrementally');
    assert.equal(same.loops[1]!.node === previous.loops[1]!.node, false, 'the edited loop is read again');
    for (const i of [0, 2, 3]) assert.equal(same.loops[i]!.node, previous.loops[i]!.node, `loop ${i}: the same object, not a copy`);
    assert.deepStrictEqual(asData(same), asData(parseConfigDocument(replaced)));

    const longer = text.slice(0, at) + 'W' + text.slice(at);
    const moved = updateDocument(previous, longer)!;
    assert.notEqual(moved.loops[2]!.node, previous.loops[2]!.node, 'a loop after a longer edit is moved');
    assert.equal(moved.loops[0]!.node, previous.loops[0]!.node, 'a loop before it is kept');
    assert.deepStrictEqual(asData(moved), asData(parseConfigDocument(longer)));
  });

  test('a loop is read as part of a module, and the whole parse reports nesting the parser cannot take', () => {
    const text = `export default [{ id: 'a', x: f(1) }];\n`;
    const withAwait = text.replace('f(1)', 'f(await)');
    const read = reparseConfigDocument(parseConfigDocument(text), withAwait);
    assert.deepStrictEqual(read.syntaxErrors, parseConfigDocument(withAwait).syntaxErrors);
    assert.equal(read.syntaxErrors.length, 1, '`await` without an operand in a module');

    const deep = text.replace('x: f(1)', 'x: ' + '['.repeat(5000) + ']'.repeat(5000));
    const deepRead = reparseConfigDocument(parseConfigDocument(text), deep);
    assert.equal(deepRead.syntaxErrors[0]?.skeneOnly, true, 'too deep: reported, not thrown');
    assert.equal(updateDocument(parseConfigDocument(text), text.replace('x: f(1)', 'x: ' + '['.repeat(300) + ']'.repeat(300))), undefined);
  });

  test('a file whose reading stopped at its 100,000 values is read whole after an edit', () => {
    // 99,998 values before the second loop: its object and id are the last the reading counts.
    const text = `export default [{ id: 'a', junk: [${'0,'.repeat(99_994)}] }, { id: 'b', opinion: 'x' }];\n`;
    const previous = parseConfigDocument(text);
    const second = previous.loops[1]!.node;
    assert.equal(second.kind === 'object' && second.properties[1]!.value?.kind, 'opaque', 'the opinion is past the budget');
    // Read alone, the edited loop would count from zero and read what the file's reading left opaque.
    const at = text.indexOf("'x'") + 1;
    const edited = text.slice(0, at) + 'y' + text.slice(at);
    assert.equal(updateDocument(previous, edited), undefined);
    assert.deepStrictEqual(asData(reparseConfigDocument(previous, edited)), asData(parseConfigDocument(edited)));
  });

  test('a version read from the last one does not keep it alive', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const text = written[0]!;
    const at = text.indexOf("'Welcome 2'") + 1;
    // Built in a function of its own: nothing here holds the first version but what the chain does.
    const chain = () => {
      const first = parseConfigDocument(text);
      let doc = first;
      for (let i = 0; i < 5; i++) {
        const next = updateDocument(doc, text.slice(0, at) + 'x'.repeat(i + 1) + text.slice(at));
        assert.ok(next, 'read incrementally');
        doc = next;
      }
      return { last: doc, first: new WeakRef(first) };
    };
    const { last, first } = chain();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    assert.equal(first.deref(), undefined, 'the first version is still reachable from the last');
    assert.equal(last.sourceFile.text, last.text);
  });
});
