/** Lock files: the package manager, and the resolved versions of what package.json files declare. */
import type { ProjectFileSource } from './files.js';
import { base, type Findings } from './findings.js';
import { PACKAGE_RULES } from './packages.js';
import { lineAt } from './text.js';
import type { StackDetection, StackEvidence } from './types.js';

type PackageManager = NonNullable<StackDetection['packageManager']>;

interface LockFile {
  manager: PackageManager;
  /** The entry that gives a package (group 1) its version (group 2); none: the file is not read. */
  entry?: RegExp;
}

const NPM_ENTRY = /"node_modules\/((?:@[\w.-]+\/)?[\w.-]+)"\s*:\s*\{\s*"version"\s*:\s*"([^"]+)"/g;
const LOCK_FILES = new Map<string, LockFile>([
  ['package-lock.json', { manager: 'npm', entry: NPM_ENTRY }],
  ['npm-shrinkwrap.json', { manager: 'npm', entry: NPM_ENTRY }],
  ['pnpm-lock.yaml', { manager: 'pnpm', entry: /^ {2}'?\/?((?:@[\w.-]+\/)?[\w.-]+)@(\d[^:(']*)/gm }],
  ['yarn.lock', { manager: 'yarn', entry: /^"?((?:@[\w.-]+\/)?[\w.-]+)@[^\n]*:\n\s+version:? "?([^"\n]+)"?/gm }],
  // bun.lockb is binary, and bun.lock's versions are not read: the manager only.
  ['bun.lockb', { manager: 'bun' }],
  ['bun.lock', { manager: 'bun' }],
]);

/** Resolved versions from a lock file, and the package manager it belongs to (the first lock file's). */
export function fromLockFiles(files: ProjectFileSource, out: Findings): StackDetection['packageManager'] {
  let manager: StackDetection['packageManager'] = null;
  const versionOf = new Map<string, { version: string; evidence: StackEvidence }>();
  for (const path of files.paths) {
    const lock = LOCK_FILES.get(base(path));
    if (!lock) continue;
    manager ??= lock.manager;
    const text = lock.entry && files.read(path);
    if (!lock.entry || !text) continue;
    for (const m of text.matchAll(lock.entry)) {
      if (!versionOf.has(m[1])) versionOf.set(m[1], { version: m[2], evidence: { file: path, line: lineAt(text, m.index), detail: `${m[1]}@${m[2]}` } });
    }
  }
  // A lock file adds versions (and evidence) to what package.json files declare; it does not add
  // packages on its own, because most of what it lists are transitive dependencies.
  for (const finding of out.list) {
    for (const [pkg, info] of versionOf) {
      const rule = PACKAGE_RULES.find((r) => r.match(pkg));
      if (rule?.name !== finding.name) continue;
      const declared = finding.evidence.some((e) => e.detail?.startsWith(`"${pkg}"`));
      if (!declared) continue;
      finding.version ??= info.version;
      finding.evidence.push(info.evidence);
    }
  }
  return manager;
}
