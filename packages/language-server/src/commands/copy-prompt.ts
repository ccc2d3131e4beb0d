/**
 * `workspace/executeCommand` `skene.copyPrompt`: the "Copy Skene Prompt" flow, answered by the
 * server so every LSP client (VS Code, Cursor, Neovim, Zed, …) gets it; the client only copies
 * and presents the text.
 *
 * Arguments (all optional, in any order):
 * - a `file:` URI string — a config file or a folder (the code lens passes the config's URI);
 * - `{ uri?: string, folder?: string, pattern?: LoopType }` — `folder` is a path or a `file:` URI.
 * Without a location the server's working directory is examined (editors start it in the
 * workspace folder).
 *
 * Result: `CopyPromptResult` — the detection's stack, pattern, reason, evidence and tables, and the
 * prompt text (null, with `message`, when nothing that names a stack was found).
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectStack, type DetectOptions } from '@skene/core/detect';
import { patternLabel, promptJson } from '@skene/core/prompt';

type LoopType = NonNullable<DetectOptions['pattern']>;
/** The loop patterns a client may ask for (the sdk's LOOP_TYPES; checked against its type). */
const LOOP_TYPES = ['activation', 'retention', 'adoption', 'milestone', 'referral', 'expansion'] as const satisfies readonly LoopType[];

export const COPY_PROMPT_COMMAND = 'skene.copyPrompt';

export type CopyPromptResult = ReturnType<typeof promptJson> & {
  /** The folder that was examined (absolute path). */
  folder: string;
  /** One line for a notification: `Activation Loop pattern for Next.js + Supabase`. */
  title: string | null;
};

function toPath(location: string): string {
  if (/^file:/i.test(location)) return fileURLToPath(location);
  if (/^[a-z][\w+.-]*:/i.test(location) && !/^[a-z]:[\\/]/i.test(location))
    throw new Error(`skene.copyPrompt: only file: URIs can be examined, not ${location}`);
  return resolve(location);
}

/** The folder to examine: the location itself when it is a folder, else the folder holding it. */
function folderOf(location: string): string {
  const path = toPath(location);
  try {
    return statSync(path).isDirectory() ? path : dirname(path);
  } catch {
    return dirname(path);
  }
}

export function parseCopyPromptArgs(args: unknown[], cwd: string = process.cwd()): { folder: string; pattern?: LoopType } {
  let location: string | undefined;
  let pattern: LoopType | undefined;
  for (const arg of args) {
    if (typeof arg === 'string') {
      location ??= arg;
    } else if (arg && typeof arg === 'object') {
      const o = arg as Record<string, unknown>;
      if (typeof o.folder === 'string') location = o.folder;
      else if (typeof o.uri === 'string') location ??= o.uri;
      if (o.pattern !== undefined) {
        const p = String(o.pattern).toLowerCase();
        if (!(LOOP_TYPES as readonly string[]).includes(p))
          throw new Error(`skene.copyPrompt: pattern must be one of ${LOOP_TYPES.join(', ')}, not '${String(o.pattern)}'`);
        pattern = p as LoopType;
      }
    }
  }
  return { folder: location ? folderOf(location) : cwd, ...(pattern ? { pattern } : {}) };
}

export function copyPrompt(args: unknown[]): CopyPromptResult {
  const { folder, pattern } = parseCopyPromptArgs(args);
  const detection = detectStack(folder, pattern ? { pattern } : {});
  const json = promptJson(detection);
  return {
    ...json,
    folder,
    title: detection.stack ? `${patternLabel(detection.pattern)} Loop pattern for ${detection.stack}` : null,
  };
}
