/**
 * What a Resend answer means for the runner. The SDK never throws: every call resolves to
 * `{ data, error, headers }`, and `error` is Resend's body as sent (`{ statusCode, name, message }`)
 * or the SDK's own `application_error` (status `null` when no answer arrived). Resend's documented
 * status codes have changed over time while the names have not, so the name decides first and the
 * status only when the name is unknown.
 */

export type SendOutcome =
  /** Accepted (or replayed by idempotency): `ids` are Resend's ids, or `outbox:…` in outbox mode. */
  | { kind: 'sent'; ids: string[]; outbox?: string; files?: string[] }
  /** Transient: try again with the same idempotency key, not before `afterMs` when given. */
  | { kind: 'retry'; reason: string; code?: string; status?: number | null; afterMs?: number }
  /** Permanent for this email (or batch): record it, never retry it. */
  | { kind: 'failed'; reason: string; code?: string; status?: number | null }
  /** The account's daily or monthly quota is spent: pause sending until it resets or someone acts. */
  | { kind: 'paused'; reason: string; code?: string; status?: number | null; afterMs?: number }
  /** The API key is missing, wrong or not allowed to send: nothing will work until the config changes. */
  | { kind: 'halt'; reason: string; code?: string; status?: number | null };

export interface ResendError {
  name?: string;
  statusCode?: number | null;
  message?: string;
}

type Kind = Exclude<SendOutcome['kind'], 'sent'>;

const BY_NAME: Record<string, Kind> = {
  rate_limit_exceeded: 'retry',
  concurrent_idempotent_requests: 'retry', // the first request with this key is still running
  internal_server_error: 'retry',
  daily_quota_exceeded: 'paused',
  monthly_quota_exceeded: 'paused',
  missing_api_key: 'halt',
  invalid_api_key: 'halt',
  restricted_api_key: 'halt',
  // The key was already used with another payload: most likely this email already went out under
  // it, so sending again under a new key could deliver it twice. Someone has to look.
  invalid_idempotent_request: 'failed',
  invalid_idempotency_key: 'failed',
  invalid_from_address: 'failed',
  missing_required_field: 'failed',
  invalid_attachment: 'failed',
  invalid_parameter: 'failed',
  invalid_access: 'failed',
  invalid_region: 'failed',
  not_found: 'failed',
  method_not_allowed: 'failed',
  security_error: 'failed',
};

function byStatus(status: number): Kind {
  if (status === 401 || status === 403) return 'halt';
  if (status === 408 || status === 409 || status === 429 || status >= 500) return 'retry';
  return 'failed';
}

function kindOf(name: string | undefined, status: number | null): Kind {
  // No answer at all (network, timeout): the email may or may not have gone out; the same key makes a retry safe.
  if (status === null) return 'retry';
  if (name === 'validation_error') {
    // 401 is how a newer copy of Resend's error page reports a bad key; 403 is an unverified
    // domain or a test-only sender, which no retry fixes (the issue: "403 domain" fails the email).
    return status === 401 ? 'halt' : 'failed';
  }
  // The SDK's name for a non-JSON answer or a dropped connection: only the status says more.
  if (name === 'application_error' || name === undefined) return byStatus(status);
  return BY_NAME[name] ?? byStatus(status);
}

/** A header in seconds (or, for `retry-after`, an HTTP date) as milliseconds from now. */
export function delayHeaderMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function classifyError(error: ResendError, headers: Record<string, string> | null | undefined): Exclude<SendOutcome, { kind: 'sent' }> {
  const status = typeof error.statusCode === 'number' ? error.statusCode : null;
  const code = error.name;
  const kind = kindOf(code, status);
  const reason = `${code ?? 'unknown_error'} (${status ?? 'no answer'}): ${error.message ?? 'no message'}`;
  if (kind === 'retry' || kind === 'paused') {
    // `ratelimit-reset` comes with every answer, so it only counts when the rate limit was the problem.
    const reset = code === 'rate_limit_exceeded' || status === 429 ? headers?.['ratelimit-reset'] : undefined;
    const afterMs = delayHeaderMs(headers?.['retry-after']) ?? delayHeaderMs(reset);
    return afterMs === undefined ? { kind, reason, code, status } : { kind, reason, code, status, afterMs };
  }
  return { kind, reason, code, status };
}
