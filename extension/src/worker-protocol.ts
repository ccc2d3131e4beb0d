/** Messages between the extension host and `dist/server.mjs --skene-worker` (over the fork IPC channel). */
export type WorkerRequest =
  | { kind: 'starter'; cwd: string; folder: string }
  | { kind: 'plan'; cwd: string; config: string; seeds: string[]; databaseUrl?: string; dialect?: string; loop?: string; at?: string };

export type WorkerResponse = { ok: true; result: unknown } | { ok: false; error: string; stack?: string };

/** Core's starterProject for the detected stack (files relative to the folder). */
export interface StarterResult {
  stack: string | null;
  message?: string;
  pattern?: string;
  files: { path: string; content: string; description: string }[];
  seed?: string;
  at?: string;
  next: string[];
}
