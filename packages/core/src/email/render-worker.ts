/**
 * A React Email renderer in a worker thread (see render-pool.ts): it loads the template the
 * plan's thread compiled (the same bundle; no compiler of its own), then renders batches of
 * emails and posts them back. Its own React, its own heap: renders on several cores, and their
 * garbage is collected off the plan's thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { renderBundle, type RenderedEmail } from './render.js';
import type { ReactProof } from './react-fill.js';
import type { TemplateBundle } from './compile.js';
import { EmailTemplateError } from './errors.js';

export interface RenderJob {
  props: Record<string, unknown>;
  subject?: string;
}
/**
 * Emails to render, or (`values`) only the slot values of a compiled template's emails: the
 * plan fills those itself.
 */
export type RenderBatch = { id: number; jobs: RenderJob[] } | { id: number; values: ValuesRequest };
/** One result per job, in order: the email's parts, or why it could not render. */
export type RenderResult = Pick<RenderedEmail, 'html' | 'text' | 'subject' | 'missing'> | { error: SerializedError };

/**
 * Many emails' props in columns, and their slot values back in columns: a plan sends tens of
 * thousands, and cloning an object per email (and its props, values and lists) was most of
 * the messaging's cost on both threads. Columns of strings clone several times faster.
 */
export interface ValuesRequest {
  /** The props' names: email i's props are `cells[i * keys.length + k]`, named `keys[k]`. */
  keys: string[];
  cells: unknown[];
  /** Each email's subject from the action (undefined where the action has none). */
  subjects: (string | undefined)[];
  /** Emails whose props have other names than `keys` (their cells are placeholders): they render with React. */
  otherKeys: number[];
}
export interface ValuesColumns {
  /** Values per email: email i's are `cells[i * width .. (i + 1) * width)`. */
  width: number;
  cells: (string | number)[];
  /** The subject each email gets (the template's or the action's), or undefined. */
  subjects: (string | undefined)[];
  /** The emails that must render with React instead (their cells are placeholders). */
  render: number[];
  /** The emails with missing values: `[email, paths]`. */
  missing: [number, string[]][];
}
/**
 * `loading` once the thread is up (React loaded), before the template's own code runs: from then
 * on a thread that hangs or stops is the template's doing, not a thread that could not start.
 */
export type WorkerMessage =
  | { loading: true }
  | { ready: true; shape?: ReactProof }
  | { ready: false; error: SerializedError }
  | { id: number; results: RenderResult[] }
  | { id: number; columns: ValuesColumns };

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
  port.on('message', async (batch: RenderBatch) => {
    const { id } = batch;
    if ('values' in batch) {
      port.postMessage({ id, columns: valuesOf(batch.values) } satisfies WorkerMessage);
      return;
    }
    const { jobs } = batch;
    if (jobs.length === 0) {
      // A ping (see render-pool.ts): answered after the timers the emails before it set for now
      // have run, so a component that throws from one fails the step that rendered it.
      setTimeout(() => port.postMessage({ id, results: [] } satisfies WorkerMessage), 1);
      return;
    }
    const results: RenderResult[] = [];
    for (const job of jobs) {
      try {
        const { html, text, subject, missing } = await renderer.render(job.props, job.subject);
        results.push(subject === undefined ? { html, text, missing } : { html, text, subject, missing });
      } catch (error) {
        results.push({ error: serializeError(error) });
      }
    }
    port.postMessage({ id, results } satisfies WorkerMessage);
  });
  const width = bundle.slots?.length ?? 0;
  const valuesOf = ({ keys, cells, subjects, otherKeys }: ValuesRequest): ValuesColumns => {
    const columns: ValuesColumns = { width, cells: [], subjects: [], render: [], missing: [] };
    const skip = new Set(otherKeys);
    for (let i = 0; i < subjects.length; i++) {
      if (skip.has(i)) {
        columns.render.push(i);
        for (let v = 0; v < width; v++) columns.cells.push('');
        columns.subjects.push(undefined);
        continue;
      }
      const props: Record<string, unknown> = {};
      for (let k = 0; k < keys.length; k++) props[keys[k]!] = cells[i * keys.length + k];
      const email = renderer.fill?.values(props, subjects[i]);
      const ok = email !== undefined && email.values.length === width;
      if (!ok) columns.render.push(i);
      for (let v = 0; v < width; v++) columns.cells.push(ok ? email.values[v]! : '');
      columns.subjects.push(email?.subject);
      if (ok && email.missing.length) columns.missing.push([i, email.missing]);
    }
    return columns;
  };
  // A compilable template: its skeleton's sentinel renders (react-fill.ts), for the plan to fill emails from.
  let shape: ReactProof | undefined;
  try {
    shape = await renderer.fill?.prove();
  } catch (error) {
    shape = { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage((shape ? { ready: true, shape } : { ready: true }) satisfies WorkerMessage);
}
