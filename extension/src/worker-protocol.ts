/** Messages between the extension host and `dist/server.mjs --skene-worker` (over the fork IPC channel). */
export type WorkerRequest =
  | { kind: 'starter'; cwd: string; folder: string }
  | { kind: 'plan'; cwd: string; config: string; seeds: string[]; databaseUrl?: string; dialect?: string; loop?: string; at?: string };

export type WorkerResponse = { ok: true; result: unknown } | { ok: false; error: string; stack?: string };

/** Core's starterProject for the detected stack, and which of its files to write (core's starterWrites). */
export interface StarterResult {
  /** The detected stack; null for a folder with none (the starter is a generic PostgreSQL one). */
  stack: string | null;
  message?: string;
  /** The loop pattern's label (`Retention`). */
  pattern?: string;
  /** The folder has a skene.config.ts: nothing is to be written. */
  blocked?: boolean;
  /** The files to write (relative to the folder); none exists yet. */
  files: { path: string; content: string; description: string }[];
  /** Files not written, and why (the project's own, or a template it has in another form). */
  kept?: { path: string; reason: string }[];
  seed?: string;
  at?: string;
  next: string[];
  /** Core's starterDependencies: package.json with skene and @skene/sdk added, and the command to run then. */
  dependencies?: { write?: { path: string; content: string; description: string }; install?: string; reason?: string };
}
