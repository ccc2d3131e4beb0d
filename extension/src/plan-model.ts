/** The plan as the webview shows it: loops → steps → emails, with counts (built in the worker from core's report). */
export interface PlanEmail {
  to: string;
  from?: string;
  subject: string;
  /** The rendered email (HTML); shown in a sandboxed frame that runs no script and loads nothing remote. */
  html: string;
  /** When it would be sent (ISO), for schedule steps. */
  at?: string;
}

export interface PlanStep {
  index: number;
  /** `insert on users → activation_welcome`, `schedule 0 9 * * * → re_engagement`. */
  description: string;
  emails: PlanEmail[];
  /** Emails the step would send (may exceed `emails.length` when the list is cut). */
  count: number;
  /** Rows whose condition does not hold yet, and other reasons nothing is sent, with counts. */
  skipped: { reason: string; count: number }[];
  errors: string[];
  /** Why the step has no email (core's noEmailReason, as the text report says it); absent when it has emails. */
  noEmail?: string;
}

export interface PlanLoop {
  id: string;
  type?: string;
  opinion?: string;
  count: number;
  steps: PlanStep[];
}

export interface PlanResult {
  config: string;
  /** The instant the plan was evaluated at (ISO). */
  at: string;
  /** Whether `at` was pinned (`skene.planAt`), as CI's `--at` pins it; else it was the current time. */
  pinned: boolean;
  /** Where the data came from: `embedded PostgreSQL seeded from seed/postgres`, `postgres://…`. */
  source: string;
  summary: string;
  count: number;
  loops: PlanLoop[];
  errors: string[];
}
