/**
 * The runner's only way out: hands an email (or a batch of up to 100) to Resend under an
 * idempotency key and says what happened, as one of five outcomes the runner acts on (sent, retry,
 * failed, paused, halt). It never throws, so a bug in error handling cannot turn into a lost or a
 * doubled email; the caller records the outcome in its ledger. Requests are paced per process to
 * Resend's rate limit. Without an API key, emails go to a local outbox folder instead, never
 * silently nowhere. No outcome or log event carries the API key.
 */
import type { Resend } from 'resend';
import { classifyError, type ResendError, type SendOutcome } from './classify.js';
import { createOutbox, DEFAULT_OUTBOX_DIR, type Outbox, type OutboxEmail } from './outbox.js';
import { createRateLimiter, type RateLimiter } from './rate-limit.js';

export type { SendOutcome } from './classify.js';
export { DEFAULT_OUTBOX_DIR } from './outbox.js';

/** What the runner sends: the plan's rendered email, byte for byte. */
export type OutgoingEmail = OutboxEmail;

export const RESEND_DEFAULT_BASE_URL = 'https://api.resend.com';
export const MAX_BATCH_SIZE = 100;
const MAX_KEY_LENGTH = 256;

export interface SenderOptions {
  /** Resend's key. Unset: `RESEND_API_KEY`. `null` or empty: the outbox, whatever the environment says. */
  apiKey?: string | null;
  /** Unset: `RESEND_BASE_URL` (the SDK's own variable, so tests point it at a double), else Resend's. */
  baseUrl?: string;
  /** Requests per second this process makes to Resend (Resend's default team limit is 2). */
  rateLimitPerSecond?: number;
  /** Where emails go without a key; relative to the working directory. */
  outboxDir?: string;
  /** A request without an answer after this long counts as "outcome unknown" and is retried. */
  timeoutMs?: number;
  log?: (event: SenderEvent) => void;
}

/** One line per decision; recipients and secrets stay out of it. */
export interface SenderEvent {
  action: 'send' | 'batch';
  mode: 'resend' | 'outbox';
  key: string;
  count: number;
  outcome: SendOutcome['kind'];
  code?: string;
  status?: number | null;
  afterMs?: number;
  /** Time spent, including waiting for the rate limit. */
  ms: number;
  outbox?: string;
}

export interface Sender {
  mode: 'resend' | 'outbox';
  /** The API's base URL (resend mode) or the outbox folder (outbox mode), for the runner to print. */
  target: string;
  send(email: OutgoingEmail, idempotencyKey: string): Promise<SendOutcome>;
  /** One request for up to 100 emails: all of them are accepted or none (Resend's strict batch validation). */
  sendBatch(emails: OutgoingEmail[], idempotencyKey: string): Promise<SendOutcome>;
}

interface SdkResult {
  data: unknown;
  error: ResendError | null;
  headers: Record<string, string> | null;
}

/** The API key must not leak through a message the server or the SDK wrote. */
function redactor(apiKey: string | undefined) {
  return (outcome: SendOutcome): SendOutcome => {
    if (outcome.kind === 'sent' || !apiKey) return outcome;
    return {
      ...outcome,
      reason: outcome.reason
        .split(apiKey)
        .join('[redacted]')
        .replace(/Bearer\s+\S+/g, 'Bearer [redacted]'),
    };
  };
}

function checkRequest(count: number, key: string): SendOutcome | undefined {
  if (typeof key !== 'string' || key.length < 1 || key.length > MAX_KEY_LENGTH) {
    return { kind: 'failed', code: 'invalid_idempotency_key', reason: `the idempotency key must be 1 to ${MAX_KEY_LENGTH} characters` };
  }
  if (count < 1 || count > MAX_BATCH_SIZE) {
    return { kind: 'failed', code: 'validation_error', reason: `a batch holds 1 to ${MAX_BATCH_SIZE} emails, got ${count}` };
  }
  return undefined;
}

function idsOf(data: unknown): string[] {
  const d = data as { id?: string; data?: { id?: string }[] } | null;
  if (Array.isArray(d?.data)) return d.data.map((item) => item.id).filter((id): id is string => typeof id === 'string');
  return typeof d?.id === 'string' ? [d.id] : [];
}

/** Calls Resend once, paced by `limiter`; a `retry-after` it answers delays every later call too. */
async function callResend(limiter: RateLimiter, call: () => Promise<SdkResult>): Promise<SendOutcome> {
  await limiter.acquire();
  let result: SdkResult;
  try {
    result = await call();
  } catch (error) {
    // The SDK promises not to throw; if it does anyway, whether the email left is unknown.
    return { kind: 'retry', code: 'sdk_exception', status: null, reason: `resend SDK threw: ${(error as Error)?.message ?? String(error)}` };
  }
  if (!result.error) return { kind: 'sent', ids: idsOf(result.data) };
  const outcome = classifyError(result.error, result.headers);
  if (outcome.kind === 'retry' && outcome.afterMs !== undefined) limiter.blockFor(outcome.afterMs);
  return outcome;
}

function resendTransport(options: { apiKey: string; baseUrl: string; rateLimitPerSecond: number; timeoutMs: number }) {
  // Loaded on the first send: core's index exports this module, and importing core (the editor,
  // `skene check`) must not load an HTTP client it never uses.
  let loading: Promise<Resend> | undefined;
  const resend = () => (loading ??= import('resend').then(({ Resend }) => new Resend(options.apiKey, { baseUrl: options.baseUrl })));
  const limiter = createRateLimiter({ perSecond: options.rateLimitPerSecond });
  const signal = () => AbortSignal.timeout(options.timeoutMs);
  return {
    send: (email: OutgoingEmail, idempotencyKey: string) =>
      callResend(limiter, async () => (await resend()).emails.send({ ...email }, { idempotencyKey, signal: signal() }) as Promise<SdkResult>),
    sendBatch: (emails: OutgoingEmail[], idempotencyKey: string) =>
      callResend(
        limiter,
        async () =>
          (await resend()).batch.send(
            emails.map((email) => ({ ...email })),
            { idempotencyKey, signal: signal() },
          ) as Promise<SdkResult>,
      ),
  };
}

function outboxTransport(outbox: Outbox) {
  return {
    send: (email: OutgoingEmail, idempotencyKey: string) => outbox.deliver([email], [idempotencyKey]),
    // Each email of a batch gets its own file, named by the batch key and its position.
    sendBatch: (emails: OutgoingEmail[], idempotencyKey: string) =>
      outbox.deliver(
        emails,
        emails.map((_, i) => `${idempotencyKey}#${i}`),
      ),
  };
}

function resolveApiKey(apiKey: string | null | undefined): string | undefined {
  if (apiKey === undefined) return process.env.RESEND_API_KEY || undefined;
  return apiKey || undefined;
}

export function createSender(options: SenderOptions = {}): Sender {
  const apiKey = resolveApiKey(options.apiKey);
  const baseUrl = options.baseUrl || process.env.RESEND_BASE_URL || RESEND_DEFAULT_BASE_URL;
  const outbox = apiKey ? undefined : createOutbox(options.outboxDir ?? DEFAULT_OUTBOX_DIR);
  const mode: Sender['mode'] = outbox ? 'outbox' : 'resend';
  const transport = outbox
    ? outboxTransport(outbox)
    : resendTransport({ apiKey: apiKey!, baseUrl, rateLimitPerSecond: options.rateLimitPerSecond ?? 2, timeoutMs: options.timeoutMs ?? 30_000 });
  const redact = redactor(apiKey);

  async function run(action: SenderEvent['action'], count: number, key: string, attempt: () => Promise<SendOutcome>): Promise<SendOutcome> {
    const started = Date.now();
    let outcome: SendOutcome;
    try {
      outcome = redact(checkRequest(count, key) ?? (await attempt()));
    } catch (error) {
      // Unreachable by design (every path above resolves); kept so that "never throws" holds.
      outcome = redact({ kind: 'retry', code: 'sender_exception', status: null, reason: `sender: ${(error as Error)?.message ?? String(error)}` });
    }
    const { kind, code, status, afterMs } = outcome as SendOutcome & { code?: string; status?: number | null; afterMs?: number };
    const event: SenderEvent = { action, mode, key, count, outcome: kind, ms: Date.now() - started };
    if (code !== undefined) event.code = code;
    if (status !== undefined) event.status = status;
    if (afterMs !== undefined) event.afterMs = afterMs;
    if (outcome.kind === 'sent' && outcome.outbox) event.outbox = outcome.outbox;
    try {
      options.log?.(event);
    } catch {
      // A failing logger must not turn a sent email into an exception the runner would retry.
    }
    return outcome;
  }

  return {
    mode,
    target: outbox ? outbox.dir : baseUrl,
    send: (email, key) => run('send', 1, key, () => transport.send(email, key)),
    sendBatch: (emails, key) => run('batch', Array.isArray(emails) ? emails.length : 0, key, () => transport.sendBatch(emails, key)),
  };
}
