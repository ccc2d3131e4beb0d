/**
 * A template that imports `@react-email/components` by name is bundled from those components'
 * own packages (components-barrel.ts): the same bytes as from the whole barrel, from a fraction of
 * the input. Anything else — a local component importing the barrel, a name no package of that
 * name exports, a namespace import — is bundled from the barrel as written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, compileTemplate } from '../../src/email/compile.js';
import { readReactTemplate } from '../../src/email/react-compile.js';

const EXAMPLES = fileURLToPath(new URL('../../../../examples/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/emails/', import.meta.url));

const exampleTemplates = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(join(EXAMPLES, d.name, 'emails'))
      .filter((f) => f.endsWith('.tsx'))
      .map((f) => join(EXAMPLES, d.name, 'emails', f)),
  );

const inputBytes = (result: Awaited<ReturnType<typeof build>>) => Object.values(result.metafile.inputs).reduce((sum, input) => sum + input.bytes, 0);

test('readReactTemplate: the components imported by name, or undefined where the module is reached otherwise', () => {
  const names = (source: string) => readReactTemplate(source, 'email.tsx').components;
  assert.deepEqual(names(`import { Body, Text as T, type TextProps } from '@react-email/components';`), ['Body', 'Text']);
  assert.deepEqual(names(`import type { Body } from '@react-email/components';\nimport { Html } from '@react-email/components';`), ['Html']);
  assert.deepEqual(names(`import { Html } from '@react-email/html';`), []);
  assert.equal(names(`import * as E from '@react-email/components';`), undefined);
  assert.equal(names(`import E, { Html } from '@react-email/components';`), undefined);
  assert.equal(names(`import { Html } from '@react-email/components';\nconst { Hr } = require('@react-email/components');`), undefined);
  assert.equal(names(`import { Html } from '@react-email/components';\nexport { Hr } from '@react-email/components';`), undefined);
});

test('every example template: the same bundle from its components alone, from a tenth of the input or less', async () => {
  assert.ok(exampleTemplates.length >= 5, exampleTemplates.join(', '));
  for (const file of exampleTemplates) {
    const components = readReactTemplate(readFileSync(file, 'utf8'), file).components;
    assert.ok(components?.length, `${file} imports components by name`);
    const whole = await build({ file, entry: undefined, components: undefined });
    const trimmed = await build({ file, entry: undefined, components });
    assert.equal(trimmed.outputFiles[0]!.text, whole.outputFiles[0]!.text, file);
    assert.ok(inputBytes(trimmed) * 10 < inputBytes(whole), `${file}: ${inputBytes(trimmed)} bytes of input against ${inputBytes(whole)}`);
  }
});

test('a local component importing the barrel, and a name no component package exports, use the barrel as written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-barrel-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // The fixture's footer imports Hr and Text from the barrel itself: it must find them there.
  const welcome = join(FIXTURES, 'welcome.tsx');
  const components = readReactTemplate(readFileSync(welcome, 'utf8'), welcome).components;
  assert.ok(components, 'welcome.tsx imports by name');
  const whole = await build({ file: welcome, entry: undefined, components: undefined });
  const trimmed = await build({ file: welcome, entry: undefined, components });
  assert.equal(trimmed.outputFiles[0]!.text, whole.outputFiles[0]!.text);

  // `Render` maps to @react-email/render, which has no such export: the build as written reports it.
  const wrong = join(dir, 'wrong.tsx');
  writeFileSync(wrong, `import { Html, Render } from '@react-email/components';\nexport default function W() { return <Html><Render /></Html>; }\n`);
  await assert.rejects(compileTemplate(wrong, 'wrong'), (error: Error) => {
    assert.match(error.message, /Render/);
    assert.doesNotMatch(error.message, /skene-react-email-components/, 'the error is the barrel’s, not the trimmed module’s');
    return true;
  });
});
