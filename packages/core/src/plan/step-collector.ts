/**
 * A step's decisions as the plan's report collects them: emails (rendering, in order, within a
 * fixed window of renders in flight), and events not sent, counted by reason with a few example
 * keys (waiting for their condition, or not sent).
 */
import { EmailTemplateError } from '../email/index.js';
import { emptyCounts, type Counts, type PlannedEmail } from '../report/model.js';

/**
 * Renders in flight at once (React; HTML fills are synchronous): enough to keep every render
 * thread busy, the same for every thread count (see StepCollector.next). Order is kept by slot.
 */
const RENDER_WINDOW = 1024;

export class StepCollector {
  counts: Counts = emptyCounts();
  emails: PlannedEmail[] = [];
  notSent = new Map<string, { count: number; examples: string[] }>();
  /** Renders in flight (one promise per email, or per batch of `emails`), oldest first from `head`. Each settles by its deadline (see RenderPools). */
  private pending: ({ render: Promise<void>; emails: number } | undefined)[] = [];
  private head = 0;
  /** Emails in the renders in flight. */
  private emailsInFlight = 0;
  /** Whether a render overran its deadline: the step is then given up without waiting on the rest. */
  private overran = false;

  get inFlight(): number {
    return this.pending.length - this.head;
  }

  /** Whether the step must wait for its oldest render before it emits more. */
  get full(): boolean {
    return this.emailsInFlight >= RENDER_WINDOW;
  }

  /** A render of `emails` emails in flight. Its failure is read by `next`, which may come after other awaits. */
  track(render: Promise<void>, emails = 1) {
    render.catch(() => {}); // handled: not an unhandled rejection meanwhile
    this.pending.push({ render, emails });
    this.emailsInFlight += emails;
  }

  /**
   * Waits for the oldest render in flight; its failure (a broken template) fails the step. Oldest
   * first, with a fixed window: where a failure stops the step depends on the emails only, not
   * on how fast, or on how many threads, they render.
   */
  async next() {
    const oldest = this.pending[this.head];
    this.pending[this.head++] = undefined;
    this.emailsInFlight -= oldest?.emails ?? 0;
    if (this.head >= 4096 && this.head * 2 >= this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    try {
      await oldest?.render;
    } catch (error) {
      if (error instanceof EmailTemplateError && error.code === 'render-timeout') this.overran = true;
      throw error;
    }
  }

  /** Waits for every render in flight, in order. */
  async settle() {
    while (this.inFlight > 0) await this.next();
  }

  /**
   * After a failure: lets the renders still in flight end, whatever they give, so that the emails
   * kept do not depend on timing. Not after an overrun: the deadline has been waited once.
   */
  async abandon() {
    if (!this.overran) await Promise.allSettled(this.pending.slice(this.head).map((p) => p?.render));
    this.pending = [];
    this.head = 0;
    this.emailsInFlight = 0;
  }

  skip(reason: string, key: string, waiting = false) {
    if (waiting) this.counts.waiting++;
    else this.counts.skipped++;
    const entry = this.notSent.get(reason) ?? { count: 0, examples: [] };
    entry.count++;
    if (entry.examples.length < 5) entry.examples.push(key);
    this.notSent.set(reason, entry);
  }
}
