/**
 * `maxEmailsPerHour`, a loop's blast radius at run time. The ledger already records every send,
 * so the cap is one count per fetched batch (not per email): the batch's sender then spends what
 * is left of the hour, and answers the send that would exceed it as a provider quota would
 * ('paused'), so the runner pauses the loop (in the state store) and defers the rest, exactly as
 * for a quota, until `skene resume <loop>`. A schedule's batch request (all or none) that would
 * cross the cap is held back whole. The hour counts from the last resume, so a
 * resumed loop gets a fresh hour instead of pausing again on the sends that paused it.
 */
import type { LoadedConfig } from '../plan/load-config.js';
import type { Sender } from './sender.js';
import type { RunStateStore } from './state-store.js';

/** The cursor where `skene resume` notes when it resumed a loop (`skene.cursors` in PostgreSQL). */
export function resumeCursor(loop: string): string {
  return `resume:${loop}`;
}

export interface HourlyBudget {
  cap: number;
  /** Sent (or being sent) in the last hour, this batch's sends included; recorded emails not attempted yet do not count. */
  sent: number;
}

/** The loop's cap and what the last hour already spent; undefined when the loop has no cap. */
export async function hourlyBudget(store: RunStateStore, config: LoadedConfig, loopId: string): Promise<HourlyBudget | undefined> {
  const cap = config.loops.find((l) => l.id === loopId)?.maxEmailsPerHour;
  if (!cap) return undefined;
  return { cap, sent: await store.sendsInHour(loopId) };
}

/** Why `count` more sends may not go out, or undefined when the hour has room for them. */
export function capReached(budget: HourlyBudget | undefined, count = 1): string | undefined {
  if (!budget || budget.sent + count <= budget.cap) return undefined;
  return `max-emails-per-hour ${budget.cap} reached (${budget.sent} sent in the last hour)`;
}

/** The sender for one fetched batch of a loop: `sender` itself when the loop has no cap. */
export async function cappedSender(input: { store: RunStateStore; config: LoadedConfig; loop: string; sender: Sender }): Promise<Sender> {
  const budget = await hourlyBudget(input.store, input.config, input.loop);
  if (!budget) return input.sender;
  const inner = input.sender;
  const spend = async (count: number, call: () => ReturnType<Sender['send']>): ReturnType<Sender['send']> => {
    const reason = capReached(budget, count);
    if (reason) return { kind: 'paused', code: 'max_emails_per_hour', reason };
    // Spent before the call, given back if nothing went out: requests in flight at once cannot both take the last room.
    budget.sent += count;
    const outcome = await call();
    if (outcome.kind !== 'sent') budget.sent -= count;
    return outcome;
  };
  return {
    mode: inner.mode,
    target: inner.target,
    send: (email, key) => spend(1, () => inner.send(email, key)),
    sendBatch: (emails, key) => spend(emails.length, () => inner.sendBatch(emails, key)),
  };
}
