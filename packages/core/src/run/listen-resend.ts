/**
 * `POST /resend` on `skene run --listen`: Resend's webhooks. Resend signs each delivery with Svix
 * (`svix-id`, `svix-timestamp`, `svix-signature`, HMAC-SHA256 of the raw body under the
 * endpoint's `whsec_…` secret, RESEND_WEBHOOK_SECRET); the `svix` package verifies it and refuses
 * a timestamp more than 5 minutes off, so a captured delivery cannot be replayed later. A delivery
 * that does not verify is a 401 and changes nothing. Then:
 * - `email.bounced` with `bounce.type` 'Permanent' (a hard bounce): the addresses are suppressed
 *   for every loop; a transient or undetermined bounce is only acknowledged (mailbox full, greylisting);
 * - `email.complained` (marked as spam): suppressed for every loop;
 * - `email.delivered`: the send row Resend knows by `email_id` gets its delivery time.
 * Any other event is acknowledged and ignored. Svix retries anything but a 2xx.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ALL_LOOPS } from '../plan/unsubscribe-token.js';
import { answer, readRawBody } from './listen-http.js';
import type { RunStateStore } from './state-store.js';

/** Resend's payloads are small (no body of the email); a megabyte is far above any. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface ResendWebhookEndpoint {
  /** RESEND_WEBHOOK_SECRET (`whsec_…`): without it every delivery is refused (503). */
  secret?: string;
  store: Pick<RunStateStore, 'suppress' | 'markDelivered'>;
  log?: (line: string) => void;
}

interface ResendEvent {
  type?: unknown;
  created_at?: unknown;
  data?: { email_id?: unknown; to?: unknown; bounce?: { type?: unknown } };
}

const header = (request: IncomingMessage, name: string): string => {
  const value = request.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
};

/** Verified and parsed, or the status and reason to refuse with. */
async function verified(secret: string, request: IncomingMessage): Promise<{ event: ResendEvent; id: string } | { status: number; error: string }> {
  const raw = await readRawBody(request, MAX_BODY_BYTES);
  if (!raw) return { status: 413, error: `the body is over ${MAX_BODY_BYTES} bytes` };
  const headers = {
    'svix-id': header(request, 'svix-id'),
    'svix-timestamp': header(request, 'svix-timestamp'),
    'svix-signature': header(request, 'svix-signature'),
  };
  // Loaded on the first delivery: importing core must not load the Svix client.
  const { Webhook } = await import('svix');
  try {
    new Webhook(secret).verify(raw, headers);
  } catch (error) {
    return {
      status: 401,
      error: `the signature does not verify (${(error as Error).message}): check RESEND_WEBHOOK_SECRET against the webhook's signing secret in Resend`,
    };
  }
  try {
    return { event: JSON.parse(raw.toString('utf8')) as ResendEvent, id: headers['svix-id'] };
  } catch {
    return { status: 400, error: 'the body is not JSON' };
  }
}

const addressesOf = (to: unknown): string[] => (Array.isArray(to) ? to : [to]).filter((a): a is string => typeof a === 'string' && a.includes('@'));

/** Handles `/resend`; false when the path is another. */
export async function handleResendWebhook(endpoint: ResendWebhookEndpoint, request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean> {
  if (path !== '/resend') return false;
  if (request.method !== 'POST') return (answer(response, 405, { error: 'POST only' }), true);
  if (!endpoint.secret) {
    answer(response, 503, { error: "no webhook secret configured: set RESEND_WEBHOOK_SECRET for skene run to the webhook's signing secret (whsec_…)" });
    return true;
  }
  const result = await verified(endpoint.secret, request);
  if ('status' in result) {
    endpoint.log?.(`resend: refused a webhook: ${result.error}`);
    return (answer(response, result.status, { error: result.error }), true);
  }
  const { event, id } = result;
  const type = String(event.type);
  const source = `resend:${id}`;
  if (type === 'email.bounced' || type === 'email.complained') {
    const permanent = type === 'email.complained' || event.data?.bounce?.type === 'Permanent';
    const addresses = addressesOf(event.data?.to);
    if (!addresses.length) return (answer(response, 400, { error: `${type} names no recipient (data.to)` }), true);
    if (!permanent) {
      endpoint.log?.(`resend: ${type} (${String(event.data?.bounce?.type)}) for ${addresses.join(', ')}: not a hard bounce, not suppressed`);
      return (answer(response, 200, { ok: true, suppressed: 0 }), true);
    }
    const reason = type === 'email.bounced' ? 'bounced' : 'complained';
    let suppressed = 0;
    for (const address of addresses) if (await endpoint.store.suppress({ address, scope: ALL_LOOPS, reason, source })) suppressed++;
    endpoint.log?.(`resend: ${type} for ${addresses.join(', ')}: suppressed for every loop`);
    return (answer(response, 200, { ok: true, suppressed }), true);
  }
  if (type === 'email.delivered') {
    const providerId = event.data?.email_id;
    if (typeof providerId !== 'string' || !providerId) return (answer(response, 400, { error: 'email.delivered names no email (data.email_id)' }), true);
    const at = typeof event.created_at === 'string' && !Number.isNaN(Date.parse(event.created_at)) ? new Date(event.created_at) : new Date();
    const emailId = await endpoint.store.markDelivered(providerId, at);
    endpoint.log?.(`resend: delivered ${providerId}${emailId ? ` (${emailId})` : ' (not in the ledger, or noted before)'}`);
    return (answer(response, 200, { ok: true, email: emailId ?? null }), true);
  }
  return (answer(response, 200, { ok: true, ignored: type }), true);
}
