/** What a command may touch of the outside world; tests pass their own. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  /** Standard input as text, when a command needs it (login). */
  readStdin?: () => Promise<string>;
}

/** Exit codes shared by every command: 0 clean, 1 findings/errors, 2 bad usage. */
export const EXIT = { ok: 0, errors: 1, usage: 2 } as const;

/** A usage error: printed as `skene: <message>` with the command's help, exit 2. */
const USAGE_ERROR = Symbol.for('skene.cli.usage-error');

/**
 * Bad usage: exit 2 with the command's usage. Recognised by a registered symbol, not `instanceof`:
 * `skene check` runs from its own bundle (check-bundle.ts), which has its own copy of this class.
 */
export class UsageError extends Error {
  readonly [USAGE_ERROR] = true;

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[USAGE_ERROR] === true;
  }
}

/** Node's parseArgs for a command's flags; a bad flag is a usage error (exit 2, with the usage). */
export function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
