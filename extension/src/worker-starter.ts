/**
 * "Create skene.config.ts" in the worker: core's starter for the detected stack (a generic
 * PostgreSQL one for a folder with no stack, as `skene init` writes), and core's policy of which
 * of its files to write (starterWrites). The extension host only writes what this returns.
 */
import { detectStack, patternLabel, starterDependencies, starterProject, starterWrites } from '@skene/core';
// Bundled at build time (esbuild inlines JSON): the project gets `^` the versions this extension ships.
import sdkPackage from '@skene/sdk/package.json' with { type: 'json' };
import cliPackage from 'skene/package.json' with { type: 'json' };
import type { StarterResult } from './worker-protocol.js';

export function starterRequest(folder: string): StarterResult {
  const detection = detectStack(folder);
  const starter = starterProject(detection);
  // The project's own seed (seed/postgres, supabase/seed.sql, …) is kept: the plan and the editor read it.
  const writes = starterWrites(folder, starter.files, { seed: { path: starter.seed, dialect: starter.dialect } });
  // skene.config.ts imports @skene/sdk: core says what package.json lacks (nothing, when blocked).
  const deps = writes.blocked
    ? undefined
    : starterDependencies(folder, { versions: { skene: cliPackage.version, sdk: sdkPackage.version }, manager: detection.packageManager });
  return {
    stack: detection.stack,
    message: detection.empty ? 'no stack detected: a generic PostgreSQL starter (plans run on an embedded PostgreSQL)' : detection.message,
    pattern: patternLabel(starter.pattern),
    blocked: writes.blocked,
    files: writes.write,
    kept: writes.kept.map((k) => ({ path: k.file.path, reason: k.reason })),
    seed: starter.seed,
    at: starter.at,
    next: starter.next,
    ...(deps ? { dependencies: { write: deps.write, install: deps.install, reason: deps.reason } } : {}),
  };
}
