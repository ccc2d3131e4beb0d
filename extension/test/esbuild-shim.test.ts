/** The TypeScript-based `esbuild` the extension's bundle uses for the plan: the two builds core runs. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { build } from '../src/esbuild-shim.js';

const dir = mkdtempSync(join(tmpdir(), 'skene-esbuild-shim-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('esbuild shim', () => {
  it('ESM (the config): transpiles TypeScript and points the aliased sdk at its file URL', async () => {
    const file = join(dir, 'skene.config.ts');
    writeFileSync(file, "import { defineLoop } from '@skene/sdk';\nconst id: string = 'a';\nexport default defineLoop({ id });\n");
    const r = await build({ entryPoints: [file], format: 'esm', write: false, sourcemap: 'inline', alias: { '@skene/sdk': '/opt/skene/dist/sdk.mjs' } });
    const code = r.outputFiles[0]!.text;
    assert.match(code, /from ["']file:\/\/\/opt\/skene\/dist\/sdk\.mjs["']/);
    assert.doesNotMatch(code, /: string/);
    assert.match(code, /sourceMappingURL=data:application\/json/);
  });

  it('CJS (a template): the automatic JSX runtime, a source map next to the code, the entry in the metafile', async () => {
    const file = join(dir, 'welcome.tsx');
    writeFileSync(
      file,
      "import { Text } from '@react-email/components';\nexport const subject = 'Hi';\nexport default function W({ name }: { name: string }) { return <Text>Hi {name}</Text>; }\n",
    );
    const r = await build({
      entryPoints: [file],
      absWorkingDir: dir,
      outfile: join(dir, '__bundle.cjs'),
      format: 'cjs',
      sourcemap: 'external',
      jsx: 'automatic',
    });
    const code = r.outputFiles.find((f) => f.path.endsWith('.cjs'))!.text;
    assert.match(code, /require\("react\/jsx-runtime"\)/);
    assert.match(code, /require\("@react-email\/components"\)/);
    assert.ok(r.outputFiles.some((f) => f.path.endsWith('.cjs.map')));
    assert.deepEqual(Object.keys(r.metafile.inputs), ['welcome.tsx']);
  });

  it("syntax errors have esbuild's shape: errors[0] with text and a 1-based line, 0-based column", async () => {
    const file = join(dir, 'broken.tsx');
    writeFileSync(file, 'export default function B() {\n  return <p>unclosed;\n}\n');
    await assert.rejects(
      build({ entryPoints: [file], absWorkingDir: dir, format: 'cjs' }),
      (error: { errors?: { text: string; location: { file: string; line: number } | null }[] }) => {
        assert.ok(error.errors?.length);
        assert.equal(error.errors[0]!.location?.file, 'broken.tsx');
        assert.ok(error.errors[0]!.location!.line >= 2);
        return true;
      },
    );
  });

  it('a missing entry: "Could not resolve"', async () => {
    await assert.rejects(build({ entryPoints: [join(dir, 'nope.tsx')], format: 'cjs' }), /Could not resolve/);
  });
});
