/**
 * The render threads of one plan (or one run): a pool per compiled React template, shared by every
 * step that uses it, so a plan starts each template's thread once, and closed when the plan ends.
 * A pool whose threads have all failed (a component exited, or overran its deadline) is replaced
 * for the next step; a template that fails to load fails every step that uses it, alike.
 */
import { renderBundle, type RenderedEmail } from './render.js';
import { RENDER_TIMEOUT_MS, startRenderPool, type EmailProps, type RenderPool } from './render-pool.js';
import { fillFrom } from './react-fill.js';
import { loadPlainText } from './plain-text.js';
import type { TemplateBundle } from './compile.js';
import { EmailTemplateError } from './errors.js';

type Rendered = Omit<RenderedEmail, 'file' | 'kind'>;
/** One email of `renderMany`: rendered, or why it failed (the error `render` would reject with). */
export type RenderOutcome = Rendered | { failed: unknown };

/** Renders one React template's emails, in render threads when there are any. */
export interface ReactRenderer {
  /** Many emails at once, each with its own outcome, in order (one promise, not one per email, where the template is filled). */
  renderMany(emails: readonly EmailProps[]): Promise<RenderOutcome[]>;
  /** Renders on up to `threads` threads from now on (a big step). */
  grow(threads: number): void;
  /** Rejects when a thread stopped since (a component threw later, from a timer or a rejection). */
  check(): Promise<void>;
}

export interface ReactTemplate {
  template: string;
  file: string;
  bundle: TemplateBundle;
}

export class RenderPools {
  private readonly pools = new Map<TemplateBundle, ReturnType<typeof startRenderPool>>();
  private closed = false;
  /** Stops the threads still starting when the plan ends (close need not wait for React to boot). */
  private readonly ending = new AbortController();

  constructor(private readonly timeoutMs: number | undefined) {}

  /** The plan has ended: no thread starts any more. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The template's renderer: its pool, started on first use (an EmailTemplateError when the template does not load). */
  async renderer(options: ReactTemplate): Promise<ReactRenderer> {
    // html-to-text (the fill's plain text, and every render's) loads while the thread starts.
    const [pool] = await Promise.all([this.pool(options), loadPlainText()]);
    // Closed while the thread started: no renderer, and none in this thread either.
    if (this.closed) throw new Error('the plan has ended: its render threads are closed');
    if (pool) return withFill(pool, options.bundle) ?? { renderMany: eachOf(pool.render), grow: pool.grow, check: pool.check };
    // No thread to be had (a bundle that left the render worker out): render in this thread,
    // where a component that never settles still fails at the deadline (one that loops cannot be stopped).
    const here = renderBundle(options.file, options.template, options.bundle);
    const timeoutMs = this.timeoutMs ?? RENDER_TIMEOUT_MS;
    const render: RenderPool['render'] = (props, subject) =>
      withDeadline(Promise.resolve(here.render(props, subject)), timeoutMs, () => {
        const what = `an email did not finish rendering within ${timeoutMs / 1000} s: does a component wait on something that never settles, or loop?`;
        return new EmailTemplateError(`email template "${options.template}": ${what}`, {
          code: 'render-timeout',
          template: options.template,
          file: options.file,
        });
      });
    return { renderMany: eachOf(render), grow() {}, check: async () => {} };
  }

  /**
   * The template's pool, started when there is none or the one there can no longer render. Two
   * steps can ask at once (a step's early start and the step before it): the map is read again
   * after every wait, so they share one pool instead of each starting one and leaking the other.
   */
  private async pool(options: ReactTemplate): Promise<RenderPool | undefined> {
    for (;;) {
      // A step's early start (emit.ts) can come after the plan ended: a thread started now would
      // never be closed, and would keep the process alive.
      if (this.closed) throw new Error('the plan has ended: its render threads are closed');
      const starting = this.pools.get(options.bundle);
      if (!starting) {
        const started = startRenderPool({ ...options, threads: 1, batchTimeoutMs: this.timeoutMs, signal: this.ending.signal });
        started.catch(() => {}); // read by every step that uses the template
        this.pools.set(options.bundle, started);
        return started;
      }
      const existing = await starting.catch(() => undefined);
      if (this.pools.get(options.bundle) !== starting) continue; // replaced (or closed) meanwhile
      if (!existing || existing.usable) return starting;
      this.pools.delete(options.bundle);
      void existing.close();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ending.abort();
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map(async (starting) => (await starting.catch(() => undefined))?.close()));
  }
}

let filled = 0;

/** Emails of compiled React templates filled in this thread so far (tests check that the fill is used). */
export function emailsFilled(): number {
  return filled;
}

/**
 * A compilable template's emails (react-compile.ts) are filled here from the shape its first
 * thread proved: the threads run the template's code (its values, its subject), this thread
 * only substitutes. An email the fill does not take renders with React, as every email did.
 */
function withFill(pool: RenderPool, bundle: TemplateBundle): ReactRenderer | undefined {
  const shape = pool.shape;
  if (!shape?.ok || !bundle.slots) return undefined;
  const fill = fillFrom({ chunks: shape.chunks, order: shape.order, slots: bundle.slots });
  // More threads pay for React renders, not for values: grow only once enough emails render with React.
  let threads = 0;
  let renders = 0;
  return {
    async renderMany(emails) {
      const { width, cells, subjects, render, missing } = await pool.valuesMany(emails);
      const outcomes: RenderOutcome[] = new Array(emails.length);
      let fallbacks: Promise<void>[] | undefined; // most batches fill every email
      // Both lists are in email order: walked alongside.
      let nextRender = 0;
      let nextMissing = 0;
      for (let i = 0; i < emails.length; i++) {
        const rendersWithReact = render[nextRender] === i;
        if (rendersWithReact) nextRender++;
        const gaps = missing[nextMissing]?.[0] === i ? missing[nextMissing++]![1] : NO_GAPS;
        const body = rendersWithReact ? undefined : fill(cells, i * width);
        if (body) {
          filled++;
          const subject = subjects[i];
          outcomes[i] =
            subject === undefined ? { html: body.html, text: body.text, missing: gaps } : { html: body.html, text: body.text, subject, missing: gaps };
          continue;
        }
        if (++renders === GROW_AFTER_RENDERS && threads) pool.grow(threads);
        const { props, subject } = emails[i]!;
        (fallbacks ??= []).push(
          pool.render(props, subject).then(
            (rendered) => void (outcomes[i] = rendered),
            (failed: unknown) => void (outcomes[i] = { failed }),
          ),
        );
      }
      if (fallbacks) await Promise.all(fallbacks);
      return outcomes;
    },
    grow(wanted) {
      threads = wanted;
      if (renders >= GROW_AFTER_RENDERS) pool.grow(wanted);
    },
    check: () => pool.check(),
  };
}

/** `renderMany` from `render`: one promise per email (a render thread batches them itself). */
function eachOf(render: RenderPool['render']): ReactRenderer['renderMany'] {
  return (emails) => Promise.all(emails.map(({ props, subject }) => render(props, subject).catch((failed: unknown) => ({ failed }))));
}

const NO_GAPS: string[] = [];

/** React renders (emails the fill does not take) after which a filled template's pool grows, as emit.ts grows others. */
const GROW_AFTER_RENDERS = 2000;

/** `promise`, or `overrun()`'s error once `ms` have passed (the timer keeps the process alive meanwhile). */
function withDeadline<T>(promise: Promise<T>, ms: number, overrun: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(overrun()), ms)));
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
