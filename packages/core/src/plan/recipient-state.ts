/**
 * What the runner's state tells an evaluation about recipients: who must not be mailed, and what
 * was sent to whom. The runner passes its state store; `skene plan --state-url` (or a plan on the
 * runner's own database) passes the same store read-only, so a plan reports exactly what the run
 * will leave out ("not sent: unsubscribed", "not sent: frequency cap") — the plan stays the promise
 * the run keeps. Without it, a plan knows nothing of past sends and says so.
 *
 * Addresses are compared as `normalizeAddress` writes them.
 */
export interface RecipientState {
  /**
   * For each of `addresses` that must not get `loop`'s emails, why: `unsubscribed` (from this
   * loop or from all loops), `bounced` or `complained` (every loop). Absent addresses may be sent.
   */
  suppressed(input: { addresses: readonly string[]; loop: string }): Promise<Map<string, SuppressionReason>>;
  /**
   * For each of `addresses`, its emails recorded (sent, or being sent) due at or after `since`,
   * in any loop, oldest first: the per-user frequency cap counts them. Each is named by its
   * email id, so an evaluation does not count an email it plans as its own earlier send.
   */
  sentSince(input: { addresses: readonly string[]; since: Date }): Promise<Map<string, SentEmail[]>>;
}

/** An email the runner recorded: its id and when it was due (the run's clock, or the schedule occurrence). */
export interface SentEmail {
  id: string;
  at: Date;
}

export type SuppressionReason = 'unsubscribed' | 'bounced' | 'complained';

/** An address as suppressions and caps compare it: trimmed and lower-cased (Resend, Gmail and Yahoo treat case alike). */
export function normalizeAddress(address: string): string {
  return address.trim().toLowerCase();
}
