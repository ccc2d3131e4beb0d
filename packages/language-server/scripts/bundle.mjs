// dist/server.cjs: the language server (src/main.ts) with core and its dependencies in one
// CommonJS file, so that bin.cjs can compile it from a V8 code cache (see scripts/bundle-cached.mjs).
// Run by `npm run build` after tsc.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCommand, bundleForCodeCache } from '../../../scripts/bundle-cached.mjs';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
await bundleForCodeCache({ entry: join(pkg, 'src/main.ts'), outfile: join(pkg, 'dist', 'server.cjs') });
// dist/bin.cjs: the `skene-language-server` command (src/bin.ts as CommonJS), which loads the bundle above.
await bundleCommand({ entry: join(pkg, 'src/bin.ts'), outfile: join(pkg, 'dist', 'bin.cjs'), external: ['./main.js'] });
