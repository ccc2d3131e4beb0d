/**
 * Runs a compiled `skene.config.ts` in a worker thread (see load-config.ts) and posts back its
 * loops, validated, or why it could not give them. A config is user code run by CI: here it
 * cannot end the plan (`process.exit` ends this thread only, and is reported), hang it (the
 * plan terminates this thread at its deadline), print into `--format json` (its stdout goes to
 * stderr) or crash it later from a timer (this thread is stopped once the loops are read).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { normalizeConfig } from '@skene/sdk';

/** What the config thread is started with. */
export interface ConfigWorkerData {
  skeneConfigWorker: true;
  /** The compiled bundle (an .mjs file; it removes itself as its first statement). */
  bundle: string;
}

/** A stack, kept so that the plan's thread can map its frames back to the config's lines. */
export interface ThrownValue {
  message: string;
  stack?: string;
  /** zod's issues when the config's own `defineLoop` call rejected it. */
  issues?: { path: (string | number)[]; message: string }[];
}

export type ConfigWorkerMessage = { started: true } | ConfigVerdict;
export type ConfigVerdict =
  | { ok: true; config: ReturnType<typeof normalizeConfig> }
  | { ok: false; reason: 'no-default-export' }
  | { ok: false; reason: 'invalid'; error: ThrownValue }
  | { ok: false; reason: 'threw' | 'uncaught' | 'rejection'; error: ThrownValue }
  | { ok: false; reason: 'exit'; code: number; stack?: string };

if (parentPort && (workerData as Partial<ConfigWorkerData> | undefined)?.skeneConfigWorker) {
  const port = parentPort;
  const { bundle } = workerData as ConfigWorkerData;
  let reported = false;
  const report = (message: ConfigVerdict) => {
    if (reported) return;
    reported = true;
    port.postMessage(message);
  };

  // The config's output is a log, never the report: `skene plan --format json` keeps stdout clean.
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  const exit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) => {
    report({ ok: false, reason: 'exit', code: Number(code ?? process.exitCode ?? 0) || 0, stack: new Error('process.exit').stack });
    exit(1);
  }) as typeof process.exit;
  process.on('uncaughtException', (error) => {
    report({ ok: false, reason: 'uncaught', error: thrownValue(error) });
    exit(1);
  });
  process.on('unhandledRejection', (error) => {
    report({ ok: false, reason: 'rejection', error: thrownValue(error) });
    exit(1);
  });

  port.postMessage({ started: true } satisfies ConfigWorkerMessage);
  void load();

  async function load() {
    let exported: unknown;
    try {
      exported = ((await import(pathToFileURL(bundle).href)) as { default?: unknown }).default;
    } catch (error) {
      report(isZodError(error) ? { ok: false, reason: 'invalid', error: thrownValue(error) } : { ok: false, reason: 'threw', error: thrownValue(error) });
      return;
    }
    // One turn of the event loop: a callback the config scheduled at once (a rejected promise,
    // a zero-delay timer) that fails, fails the load. Later ones never run: the thread stops.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setImmediate(resolve));
    if (exported === undefined) return report({ ok: false, reason: 'no-default-export' });
    try {
      report({ ok: true, config: normalizeConfig(exported) });
    } catch (error) {
      report({ ok: false, reason: 'invalid', error: thrownValue(error) });
    }
  }
}

function isZodError(error: unknown): boolean {
  return Array.isArray((error as { issues?: unknown } | null)?.issues);
}

function thrownValue(error: unknown): ThrownValue {
  if (!(error instanceof Error)) return { message: String(error) };
  const issues = (error as { issues?: { path: (string | number)[]; message: string }[] }).issues;
  return {
    message: error.message,
    ...(error.stack ? { stack: error.stack } : {}),
    ...(Array.isArray(issues) ? { issues: issues.map((i) => ({ path: [...i.path], message: i.message })) } : {}),
  };
}
