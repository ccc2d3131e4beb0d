/**
 * The per-user frequency cap (`limits.perUser`) at run time. The evaluation (`runPlan` with the
 * state store as `recipientState`) already leaves out emails whose address is full with earlier
 * sends, as the plan does (plan/frequency-cap.ts). What it cannot see — another worker, or
 * another loop's job, recording a send to the same person meanwhile — the ledger decides: with a
 * cap, every email is recorded through `recordCapped`, which counts the address's window and
 * records in one atomic step (state-store.ts). An email left out there is not sent, and its event
 * is skipped with the reason the plan gives.
 *
 * Who wins a slot contested at one instant is the plan's order — the loop declared first, then
 * the lower step: with a cap, a runner works each loop's evaluations before the next loop's
 * (runner.ts), and a batch's steps in order (work.ts). Workers racing never exceed the cap, but
 * between workers the slot goes to whichever records first.
 */
import { FREQUENCY_CAP, frequencyCapOf, type FrequencyCap } from '../plan/frequency-cap.js';
import type { LoadedConfig } from '../plan/load-config.js';
import type { NewSend, RecordedCapped, RunStateStore } from './state-store.js';

export { FREQUENCY_CAP, type FrequencyCap };

/** The config's cap, or undefined (then nothing here changes the run). */
export function runCap(config: Pick<LoadedConfig, 'limits'>): FrequencyCap | undefined {
  return frequencyCapOf(config);
}

/** The reason a capped email's event is skipped with, naming the email that holds the slot when known. */
export function cappedReason(takenBy: string | null | undefined): string {
  return takenBy ? `${FREQUENCY_CAP} (slot taken by ${takenBy})` : FREQUENCY_CAP;
}

/** When a planned email is due, for the ledger (the cap counts by it): its `at`, or now. */
export function dueOf(email: { at?: string }): Date | undefined {
  return email.at ? new Date(email.at) : undefined;
}

/**
 * Records one email before its call, as `recordSend` does, unless the cap leaves no room: then
 * what holds the slot (an email id, or null when the store cannot say).
 */
export async function recordOne(
  store: RunStateStore,
  send: NewSend,
  cap: FrequencyCap | undefined,
): Promise<{ capped: false } | { capped: true; takenBy: string | null }> {
  if (!cap) {
    await store.recordSend(send);
    return { capped: false };
  }
  const recorded: RecordedCapped = await store.recordCapped([{ ...send, failure: null, request: null }], cap);
  const capped = recorded.capped[0];
  return capped ? { capped: true, takenBy: capped.takenBy } : { capped: false };
}
