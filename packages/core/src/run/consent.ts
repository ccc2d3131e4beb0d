/**
 * The runner's side of consent: it never sends a non-transactional email without its
 * unsubscribe headers, so it refuses to start when a loop that must carry them cannot (no
 * secret, no public URL); and its evaluations skip the addresses its state has suppressed.
 */
import type { LoadedConfig } from '../plan/load-config.js';
import type { RecipientState } from '../plan/recipient-state.js';
import { unsubscribeProblems } from '../plan/unsubscribe.js';
import type { RunStateStore } from './state-store.js';

/** A config the runner must not send for: the message says what to set. */
export class ConsentConfigError extends Error {}

/** Throws before anything is opened when a loop that carries unsubscribe cannot make its links. */
export function refuseWithoutUnsubscribe(config: Pick<LoadedConfig, 'email' | 'loops'>, env: Record<string, string | undefined>): void {
  const [problem] = unsubscribeProblems(config, env);
  if (problem) throw new ConsentConfigError(`refusing to send: ${problem}`);
}

/** The store as the evaluation's recipient state: its suppressions, and its earlier sends (the frequency cap). */
export function recipientStateOf(store: Pick<RunStateStore, 'suppressed' | 'sentSince'>): RecipientState {
  return { suppressed: (input) => store.suppressed(input), sentSince: (input) => store.sentSince(input) };
}
