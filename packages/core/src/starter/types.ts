import type { LoopType } from '@skene/sdk';
import type { Dialect } from '../dialect.js';

export interface StarterFile {
  /** Relative to the project folder, `/`-separated. */
  path: string;
  content: string;
  /** One line for the summary `skene init` prints. */
  description: string;
}

/** What `skene plan --at <at>` reports with the seed (for the summary and tests). */
export interface StarterExpected {
  emails: number;
  waiting: number;
}

export interface Starter {
  files: StarterFile[];
  dialect: Dialect;
  pattern: LoopType;
  /** The seed file `skene plan` is pointed at. */
  seed: string;
  /** A plan instant at which the seed gives a known result (see `expected`). */
  at: string;
  expected: StarterExpected;
  /** Next steps for the user, one per line. */
  next: string[];
}
