/**
 * "Create skene.config.ts" in the worker: core's starter for the detected stack (a generic
 * PostgreSQL one for a folder with no stack, as `skene init` writes), and core's policy of which
 * of its files to write (starterWrites). The extension host only writes what this returns.
 */
import { detectStack, patternLabel, starterProject, starterWrites } from '@skene/core';
import type { StarterResult } from './worker-protocol.js';

export function starterRequest(folder: string): StarterResult {
  const detection = detectStack(folder);
  const starter = starterProject(detection);
  const writes = starterWrites(folder, starter.files);
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
  };
}
