#!/usr/bin/env node
// The `skene` command as npm links it. Committed (not built) because npm links a workspace's bin
// at install time only when its target exists, and `npm ci` runs before `npm run build`: pointing
// `bin` at dist/ left a fresh clone without `npx skene`. It loads the built CLI, or says how to build it.
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write('skene: the CLI is not built — run npm run build first\n');
  process.exit(1);
}
await import(built.href);
