#!/usr/bin/env node
// Checks that every import between folders of packages/core/src is one docs/architecture.md
// allows: the table there ("may import") is the rule, so the page and the code cannot drift.
// A folder missing from the table is an error too. Exit 1 on any violation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(repo, 'packages/core/src');
const ROOT = '(root)';

/** `folder → allowed folders`, from the table rows `| \`folder\` | … | \`a\`, \`b\` |`. */
function allowedFromDocs() {
  const allowed = new Map();
  for (const line of readFileSync(join(repo, 'docs/architecture.md'), 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 5 || !/^`[^`]+`$/.test(cells[1])) continue;
    const names = (cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    allowed.set(names(cells[1])[0], new Set(names(cells[3])));
  }
  return allowed;
}

function files(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const folderOf = (file) => {
  const parts = relative(src, file).split(/[\\/]/);
  return parts.length > 1 ? parts[0] : ROOT;
};

const allowed = allowedFromDocs();
const problems = [];
for (const file of files(src)) {
  const from = folderOf(file);
  if (relative(src, file) === 'index.ts') continue; // the package's entry: re-exports every folder
  if (!allowed.has(from)) {
    problems.push(`${relative(repo, file)}: folder "${from}" is not in docs/architecture.md's table`);
    continue;
  }
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)) {
    const target = resolve(dirname(file), m[1]);
    const to = folderOf(target);
    if (to === from) continue;
    if (relative(src, target).replace(/\.(js|ts)$/, '') === 'index') {
      problems.push(`${relative(repo, file)}: imports core's index (${m[1]}); import the module itself`);
    } else if (!allowed.get(from).has(to)) {
      problems.push(`${relative(repo, file)}: ${from} may not import ${to} (${m[1]}); see docs/architecture.md`);
    }
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} import${problems.length === 1 ? '' : 's'} across layers that docs/architecture.md does not allow.`);
  process.exit(1);
}
console.log(`core's layers: every import between ${allowed.size} folders is one docs/architecture.md allows.`);
