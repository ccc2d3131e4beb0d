/**
 * The per-user frequency cap (`limits.perUser: { emails, per }`), applied to a plan once every
 * step is evaluated: each address gets at most `emails` emails, across all loops, in any `per`
 * window counted back from each send. Which email gets a capped slot is decided in one order,
 * the same in the plan and the run: the email due first; at the same instant, the loop declared
 * first in the config, then the lower step, then the email id. An email beyond the cap is "not
 * sent: frequency cap", with the email that took its slot as the example's note.
 *
 * With the runner's state (`recipientState`), emails recorded earlier (sending or sent) count
 * too, through `sentSince`. The cap is per address, so the pass groups emails by address and
 * orders only the emails of one address: linear in the plan's emails (a sort per address with
 * several).
 */
import type { LoopReport, PlannedEmail, StepReport } from '../report/model.js';
import { parseDuration } from './clock.js';
import type { LoadedConfig } from './load-config.js';
import { normalizeAddress, type RecipientState, type SentEmail } from './recipient-state.js';

export const FREQUENCY_CAP = 'not sent: frequency cap';

export interface FrequencyCap {
  emails: number;
  /** The window as written (`1d`) and in milliseconds. */
  per: string;
  perMs: number;
}

/** The config's cap, or undefined when it sets none. */
export function frequencyCapOf(config: Pick<LoadedConfig, 'limits'>): FrequencyCap | undefined {
  const cap = config.limits?.perUser;
  if (!cap) return undefined;
  const perMs = parseDuration(cap.per);
  if (perMs === undefined) throw new Error(`limits.perUser.per "${cap.per}" is not a duration: write one such as 1d, 12h or 7d`);
  return { emails: cap.emails, per: cap.per, perMs };
}

/**
 * Whether an email takes a slot: one the run would fail without a call (no sender; rendered
 * without a subject) does not, as the run's ledger does not count failed emails.
 */
export function takesSlot(email: Pick<PlannedEmail, 'from' | 'subject' | 'html'>): boolean {
  return !!email.from && (email.html === undefined || !!email.subject?.trim());
}

/** One planned email as the cap orders it. */
interface Entry {
  email: PlannedEmail;
  step: StepReport;
  /** When it is due (ms), the loop's place in the config, its step number. */
  t: number;
  loop: number;
  stepNo: number;
}

/** When the first of the emails is due (ms). ISO instants: text order is time order. */
function earliestDue(emails: PlannedEmail[]): number {
  let earliest = emails[0]!.at;
  for (const email of emails) if (email.at < earliest) earliest = email.at;
  return Date.parse(earliest);
}

/** Where a step's emails begin in the pass's flat list of emails. */
interface StepStart {
  index: number;
  step: StepReport;
  loop: number;
}

/** The entry of the email at an index of the flat list (its step found by bisection; due times parsed once each). */
function entries(emails: PlannedEmail[], steps: StepStart[]): (index: number) => Entry {
  const times = new Map<string, number>();
  return (index) => {
    let lo = 0;
    let hi = steps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (steps[mid]!.index <= index) lo = mid;
      else hi = mid - 1;
    }
    const { step, loop } = steps[lo]!;
    const email = emails[index]!;
    let t = times.get(email.at);
    if (t === undefined) times.set(email.at, (t = Date.parse(email.at)));
    return { email, step, t, loop, stepNo: step.step };
  };
}

function byPriority(a: Entry, b: Entry): number {
  return a.t - b.t || a.loop - b.loop || a.stepNo - b.stepNo || (a.email.id < b.email.id ? -1 : a.email.id > b.email.id ? 1 : 0);
}

/**
 * Caps the plan's emails in place: capped emails leave their step's `emails` and are counted
 * not sent (the step's counts; the caller sums loops and totals after). `loops` are in the
 * config's order.
 */
export async function applyFrequencyCap(input: { loops: LoopReport[]; config: LoadedConfig; recipientState?: RecipientState }): Promise<void> {
  const cap = frequencyCapOf(input.config);
  if (!cap) return;
  // Every email once, by index in a flat list; per address the index of its latest email, each
  // email linked to the address's one before it (-1: none). Numbers only, so a plan where most
  // people get one email allocates nothing per person beyond the map's entry. Only people with
  // several emails (and, with the state, those with earlier sends) are ordered.
  const emails: PlannedEmail[] = [];
  const steps: StepStart[] = [];
  for (const [loopIndex, loop] of input.loops.entries()) {
    for (const step of loop.steps) {
      steps.push({ index: emails.length, step, loop: loopIndex });
      for (const email of step.emails) emails.push(email);
    }
  }
  if (!emails.length) return;
  const latest = new Map<string, number>();
  const before = new Int32Array(emails.length);
  const several: string[] = [];
  for (let i = 0; i < emails.length; i++) {
    const address = normalizeAddress(emails[i]!.to);
    const seen = latest.get(address);
    before[i] = seen ?? -1;
    latest.set(address, i);
    if (seen !== undefined && before[seen] === -1) several.push(address);
  }
  if (!several.length && !input.recipientState) return;
  const earlier = input.recipientState
    ? await input.recipientState.sentSince({ addresses: [...latest.keys()], since: new Date(earliestDue(emails) - cap.perMs) })
    : undefined;
  const candidates = several;
  // With the state, a person with one email is a candidate too when they have earlier sends.
  for (const address of earlier?.keys() ?? []) if (latest.has(address) && before[latest.get(address)!] === -1) candidates.push(address);
  const entry = entries(emails, steps);
  const capped = new Map<StepReport, Set<PlannedEmail>>();
  const onCapped = (capping: Entry, note: () => string) => {
    let set = capped.get(capping.step);
    if (!set) capped.set(capping.step, (set = new Set()));
    set.add(capping.email);
    noteCapped(capping, note);
  };
  for (const address of candidates) {
    const group: Entry[] = [];
    for (let i = latest.get(address)!; i !== -1; i = before[i]!) group.push(entry(i));
    const past = earlier ? pastSends(earlier.get(address), group) : NONE;
    if (group.length + past.length <= cap.emails) continue;
    if (group.length > 1) group.sort(byPriority);
    capAddress(cap, group, past, onCapped);
  }
  for (const [step, set] of capped) step.emails = step.emails.filter((e) => !set.has(e));
}

const NONE: readonly number[] = Object.freeze([]);

/**
 * An address's earlier sends (ms, ascending), without the emails planned now: an email recorded
 * by an earlier pass (a retried job, a plan after the run) is not its own competitor.
 */
function pastSends(sent: SentEmail[] | undefined, group: Entry[]): readonly number[] {
  if (!sent?.length) return NONE;
  const planned = new Set(group.map((e) => e.email.id));
  return sent
    .filter((s) => !planned.has(s.id))
    .map((s) => s.at.getTime())
    .sort((a, b) => a - b);
}

/**
 * One address's emails, in priority order, against its earlier sends (ms, ascending): an email
 * is capped when the window before it (`t - per`, exclusive) already holds `emails` sends. Every
 * earlier send after the window's start counts, also one recorded for a later time than the
 * email (the run counts alike).
 */
function capAddress(cap: FrequencyCap, group: Entry[], past: readonly number[], onCapped: (entry: Entry, note: () => string) => void): void {
  const taken: Entry[] = [];
  let pastStart = 0;
  let takenStart = 0;
  for (const entry of group) {
    // An id listed twice (a condition returning one row twice) is one email, as the run sends it.
    if (taken.some((e) => e.email.id === entry.email.id)) continue;
    const from = entry.t - cap.perMs;
    while (pastStart < past.length && past[pastStart]! <= from) pastStart++;
    while (takenStart < taken.length && taken[takenStart]!.t <= from) takenStart++;
    const inWindow = past.length - pastStart + (taken.length - takenStart);
    if (inWindow < cap.emails) {
      if (takesSlot(entry.email)) taken.push(entry);
      continue;
    }
    const last = taken[taken.length - 1];
    const inPast = past.length - pastStart;
    // Written only for the few examples kept (see noteCapped).
    const note = () =>
      last && last.t > from
        ? `slot taken by ${last.email.id}`
        : `${inPast} sent in the ${cap.per} before (last at ${new Date(past[past.length - 1]!).toISOString()})`;
    onCapped(entry, note);
  }
}

/** Counts a capped email on its step, with its key (and what took its slot) among the first examples. */
function noteCapped(entry: Entry, note: () => string): void {
  const step = entry.step;
  step.counts.emails--;
  step.counts.skipped++;
  let reason = step.notSent.find((n) => n.reason === FREQUENCY_CAP);
  if (!reason) step.notSent.push((reason = { reason: FREQUENCY_CAP, count: 0, examples: [], notes: [] }));
  reason.count++;
  if (reason.examples.length < 5) {
    reason.examples.push(entry.email.key);
    reason.notes!.push(note());
  }
}
