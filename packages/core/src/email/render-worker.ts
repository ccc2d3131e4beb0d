/**
 * A React Email renderer in a worker thread (see render-pool.ts): it loads the template the
 * plan's thread compiled (the same bundle; no compiler of its own), then renders batches of
 * emails and posts them back. Its own React, its own heap: renders on several cores, and their
 * garbage is collected off the plan's thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { renderBundle, type ReactValues, type RenderedEmail } from './render.js';
import type { ReactProof } from './react-fill.js';
import type { TemplateBundle } from './compile.js';
import { EmailTemplateError } from './errors.js';

export interface RenderJob {
  props: Record<string, unknown>;
  subject?: string;
  /** Only the values of a compiled template's slots (the plan fills the email); `{ render: true }` when there are none. */
  values?: true;
}
export interface RenderBatch {
  id: number;
  jobs: RenderJob[];
}
/** One result per job, in order: the email's parts, or why it could not render. */
export type RenderResult = Pick<RenderedEmail, 'html' | 'text' | 'subject' | 'missing'> | ReactValues | { render: true } | { error: SerializedError };
/**
 * `loading` once the thread is up (React loaded), before the template's own code runs: from then
 * on a thread that hangs or stops is the template's doing, not a thread that could not start.
 */
export type WorkerMessage =
  { loading: true } | { ready: true; shape?: ReactProof } | { ready: false; error: SerializedError } | { id: number; results: RenderResult[] };

export interface SerializedError {
  message: string;
  /** EmailTemplateError's fields, when it is one. */
  template?: { code: EmailTemplateError['code']; template: string; file: string; line?: number; column?: number; available?: string[] };
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof EmailTemplateError) {
    const { code, template, file, line, column, available } = error;
    return { message: error.message, template: { code, template, file, line, column, available } };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

/** What a render thread is started with. */
export interface RenderWorkerData {
  skeneRenderWorker: true;
  file: string;
  template: string;
  bundle: TemplateBundle;
}

if (parentPort && (workerData as Partial<RenderWorkerData> | undefined)?.skeneRenderWorker) {
  const port = parentPort;
  const { file, template, bundle } = workerData as RenderWorkerData;
  let renderer: ReturnType<typeof renderBundle>;
  port.postMessage({ loading: true } satisfies WorkerMessage);
  try {
    renderer = renderBundle(file, template, bundle);
  } catch (error) {
    port.postMessage({ ready: false, error: serializeError(error) } satisfies WorkerMessage);
    throw error;
  }
  port.on('message', async ({ id, jobs }: RenderBatch) => {
    if (jobs.length === 0) {
      // A ping (see render-pool.ts): answered after the timers the emails before it set for now
      // have run, so a component that throws from one fails the step that rendered it.
      setTimeout(() => port.postMessage({ id, results: [] } satisfies WorkerMessage), 1);
      return;
    }
    const results: RenderResult[] = [];
    for (const job of jobs) {
      if (job.values) {
        results.push(renderer.fill?.values(job.props, job.subject) ?? { render: true });
        continue;
      }
      try {
        const { html, text, subject, missing } = await renderer.render(job.props, job.subject);
        results.push(subject === undefined ? { html, text, missing } : { html, text, subject, missing });
      } catch (error) {
        results.push({ error: serializeError(error) });
      }
    }
    port.postMessage({ id, results } satisfies WorkerMessage);
  });
  // A compilable template: its skeleton's sentinel renders (react-fill.ts), for the plan to fill emails from.
  let shape: ReactProof | undefined;
  try {
    shape = await renderer.fill?.prove();
  } catch (error) {
    shape = { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage((shape ? { ready: true, shape } : { ready: true }) satisfies WorkerMessage);
}
