/**
 * The render threads of one plan (or one run): a pool per compiled React template, shared by every
 * step that uses it, so a plan starts each template's thread once, and closed when the plan ends.
 * A pool whose threads have all failed (a component exited, or overran its deadline) is replaced
 * for the next step; a template that fails to load fails every step that uses it, alike.
 */
import { renderBundle, type RenderedEmail } from './render.js';
import { RENDER_TIMEOUT_MS, startRenderPool, type RenderPool } from './render-pool.js';
import { fillFrom } from './react-fill.js';
import type { TemplateBundle } from './compile.js';
import { EmailTemplateError } from './errors.js';

/** Renders one React template's emails, in render threads when there are any. */
export interface ReactRenderer {
  render(props: Record<string, unknown>, subject?: string): Promise<Omit<RenderedEmail, 'file' | 'kind'>>;
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

  constructor(private readonly timeoutMs: number | undefined) {}

  /** The template's renderer: its pool, started on first use (an EmailTemplateError when the template does not load). */
  async renderer(options: ReactTemplate): Promise<ReactRenderer> {
    let starting = this.pools.get(options.bundle);
    const existing = await starting?.catch(() => undefined);
    if (!starting || (existing && !existing.usable)) {
      void existing?.close();
      starting = startRenderPool({ ...options, threads: 1, batchTimeoutMs: this.timeoutMs });
      starting.catch(() => {}); // read by every step that uses the template
      this.pools.set(options.bundle, starting);
    }
    const pool = await starting;
    if (pool) return withFill(pool, options.bundle);
    // No thread to be had (a bundle that left the render worker out): render in this thread,
    // where a component that never settles still fails at the deadline (one that loops cannot be stopped).
    const here = renderBundle(options.file, options.template, options.bundle);
    const timeoutMs = this.timeoutMs ?? RENDER_TIMEOUT_MS;
    return {
      render: (props, subject) =>
        withDeadline(Promise.resolve(here.render(props, subject)), timeoutMs, () => {
          const what = `an email did not finish rendering within ${timeoutMs / 1000} s: does a component wait on something that never settles, or loop?`;
          return new EmailTemplateError(`email template "${options.template}": ${what}`, {
            code: 'render-timeout',
            template: options.template,
            file: options.file,
          });
        }),
      grow() {},
      check: async () => {},
    };
  }

  async close(): Promise<void> {
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
function withFill(pool: RenderPool, bundle: TemplateBundle): ReactRenderer {
  const shape = pool.shape;
  if (!shape?.ok || !bundle.slots) return pool;
  const fill = fillFrom({ chunks: shape.chunks, order: shape.order, slots: bundle.slots });
  // More threads pay for React renders, not for values: grow only once enough emails render with React.
  let threads = 0;
  let renders = 0;
  return {
    async render(props, subject) {
      const email = await pool.values(props, subject);
      const body = email && fill(email.values);
      if (!email || !body) {
        if (++renders === GROW_AFTER_RENDERS && threads) pool.grow(threads);
        return pool.render(props, subject);
      }
      filled++;
      return email.subject === undefined
        ? { html: body.html, text: body.text, missing: email.missing }
        : { html: body.html, text: body.text, subject: email.subject, missing: email.missing };
    },
    grow(wanted) {
      threads = wanted;
      if (renders >= GROW_AFTER_RENDERS) pool.grow(wanted);
    },
    check: () => pool.check(),
  };
}

/** React renders (emails the fill does not take) after which a filled template's pool grows, as emit.ts grows others. */
const GROW_AFTER_RENDERS = 2000;

/** `promise`, or `overrun()`'s error once `ms` have passed (the timer keeps the process alive meanwhile). */
function withDeadline<T>(promise: Promise<T>, ms: number, overrun: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(overrun()), ms)));
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
