/** What a plan is asked for (the CLI's flags, the Action's inputs) and its defaults. */
import type { DataSource } from '../sources/types.js';
import type { LoadedConfig } from './load-config.js';
import type { RecipientState } from './recipient-state.js';
import type { RetryOptions } from './retry.js';
import type { PlanRendering } from './rendering.js';

export interface PlanProgress {
  loop: string;
  step: number;
  /** Events evaluated so far in this step. */
  done: number;
}

export interface PlanOptions {
  config: LoadedConfig;
  source: DataSource;
  /** The pinned instant (`--at`). Absent: the current time, and the report says the clock is not pinned. */
  at?: Date;
  /** Schedule horizon (`--horizon`), default 1 day. */
  horizon?: string;
  /** Only rows created at or after this instant count as database-trigger events (`--since`). */
  since?: Date;
  /**
   * Only the rows with these keys count as database-trigger events (the runner: the captured
   * events' keys, evaluated by the plan's own code). Absent: every row of the table.
   */
  keys?: readonly unknown[];
  /** Only these steps (1-based, as in email ids); absent: every step of every loop. */
  only?: readonly { loop: string; step: number }[];
  /** Seed paths, for the report. */
  seeds?: string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Keys per condition statement (default 1000). */
  batchSize?: number;
  /** Cap on any query's deadline (default 30 s): `condition.timeout` may lower it, never raise it. */
  maxQueryTimeoutMs?: number;
  retry?: RetryOptions;
  onProgress?: (progress: PlanProgress) => void;
  /** Render each email's body (default true). False lists recipients and props only: faster for huge plans. */
  render?: boolean;
  /** The plan's templates and render threads when made before it (rendering.ts); closed when the plan ends. */
  rendering?: PlanRendering;
  /**
   * Threads that render React Email templates once a step has many emails (default: one per
   * core, at most 8). React always renders off the plan's thread, in one thread at least.
   */
  renderThreads?: number;
  /** React emails a step renders in one render thread before it adds the others (default 10,000). */
  renderPoolAfter?: number;
  /** The longest one email may take to render before its step fails (default 2 minutes). */
  renderTimeoutMs?: number;
  /** The current time when `at` is absent (tests). */
  now?: () => Date;
  /** The runner's state (suppressions, past sends): absent, the plan knows no past sends (recipient-state.ts). */
  recipientState?: RecipientState;
}

export const DEFAULT_HORIZON = '1d';
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;
export const WAITING = 'waiting: condition not met';
