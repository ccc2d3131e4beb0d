/**
 * Suppressed recipients, left out as the run leaves them out: when the plan is given the runner's
 * state (`PlanOptions.recipientState`), a step's emails to an address that unsubscribed (from this
 * loop or from all), bounced or complained become "not sent" with that reason. The runner
 * evaluates with the plan's code and its own store, so it skips exactly these.
 */
import { normalizeAddress, type SuppressionReason } from './recipient-state.js';
import type { StepRun } from './step-run.js';

/** The reason a suppressed email is reported with, in the plan and the run. */
export function suppressionReason(reason: SuppressionReason): string {
  return `not sent: ${reason}`;
}

/** Moves the step's emails to suppressed addresses into its "not sent" (after every render settled). */
export async function applySuppressions({ ctx, loop, collector }: Pick<StepRun, 'ctx' | 'loop' | 'collector'>): Promise<void> {
  const state = ctx.recipientState;
  if (!state || collector.emails.length === 0) return;
  const addresses = [...new Set(collector.emails.filter((e) => e !== undefined).map((e) => normalizeAddress(e.to)))];
  const suppressed = await state.suppressed({ addresses, loop: loop.id });
  if (suppressed.size === 0) return;
  collector.emails = collector.emails.filter((email) => {
    const reason = email && suppressed.get(normalizeAddress(email.to));
    if (!reason) return true;
    collector.counts.emails--;
    collector.skip(suppressionReason(reason), email.key);
    return false;
  });
}
