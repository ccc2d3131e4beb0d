#!/usr/bin/env node
// The `skene` command as npm links it. Committed (not built) because npm links a workspace's bin
// at install time only when its target exists, and `npm ci` runs before `npm run build`: pointing
// `bin` at dist/ left a fresh clone without `npx skene`. It loads the built CLI, or says how to build it.
// CommonJS, as dist/bin.cjs is: started as an ES module, Node loads its ES module loader (~10 ms).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const built = join(__dirname, '..', 'dist', 'bin.cjs');
if (!existsSync(built)) {
  process.stderr.write('skene: the CLI is not built — run npm run build first\n');
  process.exit(1);
}
require(built);
