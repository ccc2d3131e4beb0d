/** What the read-only guard says of a condition: problems with stable codes and exact positions. */
import type { SqlDialect } from '../dialect.js';

/**
 * SKN020 does not parse alone · SKN021 not exactly one read-only SELECT · SKN026 a function, cast
 * or operator outside the allow-list · SKN027 one the config vouches for (a warning) · SKN028 a
 * MySQL executable comment or optimizer hint · SKN029 a Redis command that is not a read.
 */
export type GuardCode = 'SKN020' | 'SKN021' | 'SKN026' | 'SKN027' | 'SKN028' | 'SKN029';

export interface GuardProblem {
  code: GuardCode;
  severity: 'error' | 'warning';
  /** UTF-16 offsets into the condition's text (for Redis: into the command, see guard/redis.ts). */
  start: number;
  end: number;
  message: string;
  /**
   * SKN026: the name a config may vouch for in `database.allowFunctions` (lower case for
   * PostgreSQL, as written for MySQL), schema-qualified when the query qualifies it.
   */
  name?: string;
}

/** The dialects the guard reads: core's SqlDialect, under the name the guard's tests know it by. */
export type GuardDialect = SqlDialect;

export const READ_ONLY_FIX = 'a condition is one read-only SELECT (or WITH … SELECT)';
export const ALLOW_HINT = 'see docs/read-only.md for what a condition may call, or vouch for it with defineConfig({ database: { allowFunctions: [...] } })';

/**
 * The problems that remain once the config's `allowFunctions` are applied: a function (or cast)
 * the config vouches for is a warning (SKN027) instead of an error.
 */
export function applyAllowFunctions(problems: readonly GuardProblem[], allowFunctions: readonly string[] | undefined): GuardProblem[] {
  if (!allowFunctions?.length) return [...problems];
  const allowed = new Set(allowFunctions.map((name) => name.trim().toLowerCase()));
  return problems.map((p) =>
    p.code === 'SKN026' && p.name && allowed.has(p.name.toLowerCase())
      ? {
          ...p,
          code: 'SKN027',
          severity: 'warning',
          message: `${p.name} is not on the read-only allow-list; it runs because database.allowFunctions vouches for it — make sure it only reads.`,
        }
      : p,
  );
}

/** The first error of a guard's verdict, if any: what the plan refuses the step with. */
export function firstError(problems: readonly GuardProblem[]): GuardProblem | undefined {
  return problems.find((p) => p.severity === 'error');
}

/** A statement the guard refused: the plan reports its code and position; nothing was sent. */
export class GuardRefusal extends Error {
  constructor(readonly problem: GuardProblem) {
    super(problem.message.startsWith('refused: ') ? problem.message : `refused: ${problem.message}`);
    this.name = 'GuardRefusal';
  }
}
