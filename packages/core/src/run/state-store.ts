/**
 * What the runner remembers, behind one interface: the ledger of sends (the final arbiter of
 * "exactly once"), each event's or occurrence's progress per step, the schedule cursors and a
 * capture's positions, and the loops paused by a quota. PostgreSQL and PGlite keep it in tables
 * of the `skene` schema (state-store-postgres.ts); Redis in keys under a prefix
 * (state-store-redis.ts). Both are held to one contract (test/run/state-store-contract.ts).
 *
 * Every decision below that reads then writes is one atomic step in every store: two workers
 * racing on a row see one winner. What the runner relies on:
 * - a send row is created once ('sending', with its payload); later records of its id change nothing;
 * - a claim counts an attempt only while the row is 'sending', and returns the FIRST payload;
 * - a row is settled 'sent' or 'failed' only from 'sending' (a batch's 'sent' also from 'failed':
 *   see completeBatch), so a settled row never changes again otherwise;
 * - a progress row that reached an end (done, expired, failed, skipped) never changes again;
 * - schedule cursors only move forward.
 * Times (created, sent, updated, paused, resumed) are the store's own clock, not the worker's.
 * (PostgreSQL's event cursor over `skene.events` is not here: it reads the events beside the
 * state, so it stays with them, in state.ts and enqueue.ts.)
 */
import type { RecipientState } from '../plan/recipient-state.js';
import type { PositionStore } from './capture.js';
import type { GoalStore } from './goal-store.js';
import type { SuppressionReason } from '../plan/recipient-state.js';
import type { OutgoingEmail } from './sender.js';

export type SendState = 'sending' | 'sent' | 'failed';
export type ProgressState = 'waiting' | 'done' | 'expired' | 'failed' | 'skipped';

/** An email recorded before its call. `payload` null: it cannot be sent (it fails without a call). */
export interface NewSend {
  emailId: string;
  loop: string;
  step: number;
  key: string;
  recipient: string;
  payload: OutgoingEmail | null;
  /** When it is due (the run's clock, or the schedule occurrence): the frequency cap counts by it. Default: now. */
  dueAt?: Date;
}

/** An email of a schedule occurrence, recorded with the one request it is ever sent in (ledger-batch.ts). */
export interface PlannedSend extends NewSend {
  /** Why it cannot be sent: recorded 'failed' at once. */
  failure: string | null;
  /** The idempotency key of its request (its own id, or its batch's); null when it failed. */
  request: string | null;
}

export interface RecordedPlanned {
  /** The rows this call created, with their failure (null: 'sending'). */
  created: { emailId: string; failure: string | null }[];
  /** Of the ids that existed already, those still 'sending'. */
  earlierSending: string[];
}

/** What `recordCapped` did: `recordPlanned`'s answer, and the emails left unrecorded by the cap. */
export interface RecordedCapped extends RecordedPlanned {
  /** Not recorded: the address had no room. `takenBy`: the latest email in the window (its id). */
  capped: { emailId: string; takenBy: string | null }[];
}

/** A row claimed for an attempt: its attempts counted with this one, its first payload. */
export interface ClaimedSend {
  emailId: string;
  key: string;
  recipient: string;
  payload: OutgoingEmail | null;
  attempts: number;
}

export interface ProgressUpdate {
  subject: string;
  loop: string;
  step: number;
  state: ProgressState;
  reason: string;
  key?: string;
  occurredAt?: Date;
  deadline?: Date;
  checks?: number;
  nextCheckAt?: Date;
}

export interface DueCheck {
  subject: string;
  loop_id: string;
  step: number;
  key: string | null;
  occurred_at: Date | null;
  checks: number;
}

export interface StepCount {
  loop: string;
  step: number;
  state: string;
  n: number;
}

/** What `skene status` shows, counted by the store. */
export interface StateCounts {
  /** Rows of the ledger per loop, step and state. */
  sends: StepCount[];
  /** Progress rows waiting, expired or skipped. */
  progress: StepCount[];
  /** Events and occurrences that failed without a failed email of theirs (chunks left out): an email's failure is counted once, from the ledger. */
  evaluationFailures: StepCount[];
  /** The latest error per loop and step: a failed email's (by when it was recorded) or a failed evaluation's (by when it failed). */
  errors: { loop: string; step: number; error: string }[];
  paused: { loop: string; reason: string; since: Date }[];
}

export interface RunStateStore {
  /** Creates what the store needs (idempotent; two workers starting at once are fine). */
  ensure(): Promise<void>;

  /** Records an email 'sending' with its payload, unless its id is recorded already. */
  recordSend(send: NewSend): Promise<void>;
  /** Records emails of an occurrence, unless their ids are recorded already. Ids must be distinct. */
  recordPlanned(sends: PlannedSend[]): Promise<RecordedPlanned>;
  /**
   * Records emails as `recordPlanned` does, in the order given, each only while its address has
   * fewer than `cap.emails` sends (sending or sent, any loop) due after its `dueAt` minus
   * `cap.perMs`: the count and the record are one atomic step per address, so two workers never
   * exceed the cap (frequency-cap.ts). An id recorded already is left as it is, never capped.
   */
  recordCapped(sends: PlannedSend[], cap: { emails: number; perMs: number }): Promise<RecordedCapped>;
  /** The addresses' sends (sending or sent) due at or after `since`, by due time: RecipientState's, for the frequency cap. */
  sentSince: RecipientState['sentSince'];
  /** Counts an attempt on a 'sending' row; undefined when the row is settled (or absent). */
  claimSend(emailId: string): Promise<{ attempts: number; payload: OutgoingEmail | null } | undefined>;
  /** Counts an attempt on every 'sending' row of a request; those returned are its members now. */
  claimRequest(request: string): Promise<ClaimedSend[]>;
  sendState(emailId: string): Promise<SendState | undefined>;
  /** The request key of each of these ids that is 'sending' with one. */
  requestsOf(emailIds: string[]): Promise<Map<string, string>>;
  /** Settles rows 'sent' from 'sending' (and from 'failed' with `fromFailed`); returns how many changed. */
  settleSent(sent: { emailId: string; providerId: string | null }[], options?: { fromFailed?: boolean }): Promise<number>;
  /** Settles rows 'failed' from 'sending'; returns how many changed. */
  settleFailed(failed: { emailId: string; reason: string }[]): Promise<number>;
  /** Notes why the last attempt did not settle rows still 'sending'. */
  noteSendError(emailIds: string[], reason: string): Promise<void>;
  /** How many of these ids are 'sending'. */
  countSending(emailIds: string[]): Promise<number>;
  /**
   * A loop's sends of the last hour, counted from its last resume if that is later: rows 'sent'
   * (by when) or 'sending' with an attempt (by when recorded).
   */
  sendsInHour(loop: string): Promise<number>;
  /** Fails a loop's recorded rows still 'sending' after `maxAttempts` claims; returns how many. */
  giveUpRecorded(loop: string, maxAttempts: number): Promise<number>;
  /** A loop's recorded rows (with a request) still 'sending', by step then id. */
  unsettledRecorded(loop: string): Promise<{ emailId: string; step: number; attempts: number }[]>;

  /** Records where an event or occurrence stands for a step; a row at an end never changes again. */
  setProgress(update: ProgressUpdate): Promise<void>;
  progressState(subject: string, loop: string, step: number): Promise<ProgressState | undefined>;
  /** Waiting rows of these loops whose next check is due at `at`, soonest first (at most 10 000). */
  dueChecks(at: Date, loops: string[]): Promise<DueCheck[]>;

  scheduleCursor(name: string): Promise<Date | undefined>;
  /** Moves a schedule cursor forward only: two workers racing leave the furthest. */
  advanceScheduleCursor(name: string, firedAt: Date): Promise<void>;
  /** A capture's named positions (capture.ts). */
  positions: PositionStore;

  pausedLoops(): Promise<Map<string, { reason: string; since: Date }>>;
  pauseLoop(loop: string, reason: string): Promise<void>;
  /** Clears a pause and notes the resume time (the hourly cap counts from it); the pause cleared, if any. */
  resumeLoop(loop: string): Promise<{ reason: string; since: Date } | undefined>;

  /**
   * Consent (unsubscribe links, Resend's webhooks): records that an address must not get a scope's
   * emails (a loop id, or ALL_LOOPS), unless it is recorded already (the first reason stays); true
   * when this call recorded it. Addresses are normalised (normalizeAddress) by the store.
   */
  suppress(entry: { address: string; scope: string; reason: SuppressionReason; source: string }): Promise<boolean>;
  /** RecipientState.suppressed: of these addresses, those `loop` must not mail, with why (every loop's reason first). */
  suppressed(input: { addresses: readonly string[]; loop: string }): Promise<Map<string, SuppressionReason>>;
  /** Notes when the provider delivered the email it knows as `providerId`; the email id, the first time only. */
  markDelivered(providerId: string, at: Date): Promise<string | undefined>;

  /** Counts for `skene status`; undefined when no runner has used this store yet. */
  statusCounts(): Promise<StateCounts | undefined>;

  /** Each sent email's goal: checked until `within` has passed, converted or not (goal-store.ts). */
  goals: GoalStore;
}
