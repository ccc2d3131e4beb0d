/**
 * The built action ships @react-email/components as the barrel it is, over each React Email
 * package prebundled on its own (scripts/build.mjs): a template that names its components is then
 * bundled from those packages alone (core's email/components-barrel.ts), and one that does not
 * still finds every component through the barrel. Run from an installed copy of dist/, where the
 * template resolves React Email from dist/node_modules as it does on a runner.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build } from '../../packages/core/src/email/compile.js';
import { readReactTemplate } from '../../packages/core/src/email/react-compile.js';
import { EXAMPLES, installedDist } from './harness.js';

test('in dist/, a template naming its components bundles from their packages; the barrel still serves all', async () => {
  const dist = dirname(installedDist());
  // Inside dist/, so that the template finds dist/node_modules above it: this test compiles with
  // core from the repository, whose own fallback paths lead to the repository's packages.
  const emails = join(dist, 'app-emails');
  mkdirSync(emails, { recursive: true });
  const file = join(emails, 'session_drop.tsx');
  copyFileSync(join(EXAMPLES, 'nestjs-postgres-stripe', 'emails', 'session_drop.tsx'), file);
  const components = readReactTemplate(readFileSync(file, 'utf8'), file).components;
  assert.ok(components?.includes('Body'), `session_drop names its components: ${components}`);

  const trimmed = await build({ file, entry: undefined, components });
  const whole = await build({ file, entry: undefined, components: undefined });
  const inputs = (result: typeof whole) => Object.keys(result.metafile.inputs).map((p) => relative(dist, join(emails, p)));
  const fromDist = (result: typeof whole) => inputs(result).filter((p) => p.startsWith('node_modules'));
  assert.ok(fromDist(trimmed).length > 0 && fromDist(whole).length > 0, 'React Email came from dist/node_modules');
  assert.ok(!inputs(trimmed).some((p) => p.includes('tailwind') || p.includes('code-block')), `trimmed: ${inputs(trimmed).join(', ')}`);
  assert.ok(
    inputs(whole).some((p) => p.includes('tailwind')),
    'the barrel as written reaches every package',
  );
  const bytes = (result: typeof whole) => Object.values(result.metafile.inputs).reduce((sum, input) => sum + input.bytes, 0);
  assert.ok(bytes(trimmed) * 10 < bytes(whole), `${bytes(trimmed)} bytes of input against ${bytes(whole)}`);
  for (const result of [trimmed, whole]) assert.match(result.outputFiles[0]!.text, /need a hand with anything/);
});
