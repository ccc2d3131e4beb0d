/**
 * What the runner remembers of a loop's goal, per email sent: the recipient's user key (the goal's
 * `$1`), when it was sent, until when the goal counts (`sent + within`), and how it ended —
 * converted (with the time) or not converted. Part of the runner's state (state-store.ts:
 * `store.goals`), in PostgreSQL (goal-store-postgres.ts) and Redis (goal-store-redis.ts), both held
 * to test/run/goal-store-contract.ts.
 *
 * A goal row is recorded with its email, before the send ('unsent'), because only the plan's
 * email knows its recipient's user key; the send arms it ('checking', due at once). The checks
 * (goals.ts) then settle it exactly once: a row leaves 'checking' once, in one atomic step, so two
 * workers checking the same email count one conversion. Times are the run's clock (`--at`), as
 * the goal query's `now()` is, not the store's.
 */
export type GoalState = 'unsent' | 'checking' | 'converted' | 'not-converted';

export interface TrackedGoal {
  emailId: string;
  loop: string;
  step: number;
  /** The recipient's key in the people table: the goal's `$1`. */
  userKey: string;
  /** How long after the send the goal counts (`goal.within`). */
  withinMs: number;
}

export interface DueGoal {
  emailId: string;
  loop: string;
  step: number;
  userKey: string;
  sentAt: Date;
  deadline: Date;
  /** Checks made so far (the next one's backoff grows with it). */
  checks: number;
}

export type GoalUpdate =
  | { emailId: string; state: 'converted'; convertedAt: Date }
  | { emailId: string; state: 'not-converted' }
  /** Not reached yet: checked again at `nextCheckAt`. */
  | { emailId: string; state: 'checking'; nextCheckAt: Date };

/** Per loop and step, for `skene status`. */
export interface GoalCount {
  loop: string;
  step: number;
  /** Emails sent whose goal is tracked (checking, converted or not converted). */
  tracked: number;
  converted: number;
  notConverted: number;
  /** The median time from send to conversion, in ms (a goal reached before the send counts 0); null without conversions. */
  medianMs: number | null;
}

export interface GoalStore {
  /** Records each email's goal 'unsent', unless its id has one already. */
  track(goals: TrackedGoal[]): Promise<void>;
  /** The emails were sent at `sentAt`: their 'unsent' goals are checked from then until `sentAt + within`. */
  sent(emailIds: string[], sentAt: Date): Promise<void>;
  /** Goals of these loops still 'checking' whose next check is due at `at`, soonest first (at most `limit`). */
  due(at: Date, loops: string[], limit: number): Promise<DueGoal[]>;
  /** Applies the updates to rows still 'checking' (others are left); returns how many were settled now. */
  update(updates: GoalUpdate[]): Promise<number>;
  counts(): Promise<GoalCount[]>;
}

/** The median of sorted numbers (the mean of the middle two for an even count), as PostgreSQL's percentile_cont(0.5). */
export function median(sorted: number[]): number | null {
  if (!sorted.length) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
