// dist/check.cjs: `skene check` (src/commands/check.ts) with core's analysis and its dependencies
// in one CommonJS file, so that bin.cjs compiles it from a V8 code cache (see
// scripts/bundle-cached.mjs): importing core's analysis module by module was about a third of a
// check's time. Run by `npm run build` after tsc.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCommand, bundleForCodeCache } from '../../../scripts/bundle-cached.mjs';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
await bundleForCodeCache({ entry: join(pkg, 'src/commands/check.ts'), outfile: join(pkg, 'dist', 'check.cjs') });
// dist/bin.cjs: the CLI's entry (src/bin.ts, with main, io and the check bundle's loader) as CommonJS;
// the other commands stay ES modules, imported from dist/commands/ when run.
await bundleCommand({ entry: join(pkg, 'src/bin.ts'), outfile: join(pkg, 'dist', 'bin.cjs'), external: ['./commands/*'] });
