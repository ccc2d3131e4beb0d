/**
 * `skene run --listen host:port`: the runner's HTTP endpoint. `POST /hasura` takes Hasura's event
 * trigger deliveries (see hasura.ts), checked by a shared secret in the `x-skene-secret` header
 * (set it as a header of the event trigger in Hasura's metadata); `GET /health` answers 200.
 * Hasura retries anything but a 2xx, so a refusal is a 4xx with the reason, and an event
 * recorded before answers 200 again. Consent has its own handlers: `/unsubscribe/<token>`
 * (listen-unsubscribe.ts) and Resend's webhooks on `POST /resend` (listen-resend.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HasuraPayloadError, parseHasuraEvent, recordHasuraEvent, type Query } from './hasura.js';
import { answer, readBody } from './listen-http.js';
import { handleResendWebhook } from './listen-resend.js';
import { handleUnsubscribe } from './listen-unsubscribe.js';
import type { RunStateStore } from './state-store.js';
import { postgresStateStore } from './state-store-postgres.js';

/** The largest body accepted: a Hasura payload holds one row (old and new). */
const MAX_BODY_BYTES = 1024 * 1024;
export const SECRET_HEADER = 'x-skene-secret';

export interface ListenerOptions {
  host: string;
  port: number;
  /** The shared secret Hasura sends; without one, `/hasura` refuses every delivery. */
  hasuraSecret?: string;
  /** The events' database: without it (a source whose state is elsewhere), no `/hasura`. */
  query?: Query;
  schema?: string;
  /** Unsubscribe links and Resend's webhooks, recorded in the runner's state. */
  consent?: ConsentOptions;
  /** One line per delivery (never the secret, never the row). */
  log?: (line: string) => void;
}

export interface ConsentOptions {
  /** SKENE_UNSUBSCRIBE_SECRET: links are verified with it. */
  unsubscribeSecret?: string;
  /** RESEND_WEBHOOK_SECRET (`whsec_…`). */
  webhookSecret?: string;
  store: Pick<RunStateStore, 'suppress' | 'markDelivered'>;
}

export interface Listener {
  url: string;
  close(): Promise<void>;
}

export async function startListener(options: ListenerOptions): Promise<Listener> {
  const server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => answer(response, 500, { error: `could not record the event: ${(error as Error).message}` }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function handle(options: ListenerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://listener').pathname;
  if (request.method === 'GET' && path === '/health') return answer(response, 200, { ok: true });
  const consent = options.consent;
  if (consent) {
    if (await handleUnsubscribe({ secret: consent.unsubscribeSecret, store: consent.store, log: options.log }, request, response, path)) return;
    if (await handleResendWebhook({ secret: consent.webhookSecret, store: consent.store, log: options.log }, request, response, path)) return;
  }
  if (path !== '/hasura') return answer(response, 404, { error: `no ${path} here: Hasura's event trigger posts to /hasura` });
  if (request.method !== 'POST') return answer(response, 405, { error: 'POST only' });
  if (!options.query) return answer(response, 404, { error: 'no /hasura here: Hasura deliveries need a PostgreSQL source' });
  if (!options.hasuraSecret)
    return answer(response, 403, {
      error: 'no secret configured: set SKENE_HASURA_SECRET for skene run, and the same value as the x-skene-secret header of the event trigger',
    });
  if (!sameSecret(request.headers[SECRET_HEADER], options.hasuraSecret)) {
    options.log?.('hasura: refused a delivery with a wrong or missing x-skene-secret');
    return answer(response, 401, { error: 'wrong or missing x-skene-secret header' });
  }
  const body = await readBody(request, MAX_BODY_BYTES);
  if (body === undefined) return answer(response, 413, { error: `the body is over ${MAX_BODY_BYTES} bytes` });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return answer(response, 400, { error: 'the body is not JSON' });
  }
  try {
    const event = parseHasuraEvent(parsed);
    const recorded = await recordHasuraEvent(options.query, event, options.schema);
    options.log?.(
      `hasura: ${event.op} on ${event.tableSchema}.${event.tableName} → event ${recorded.id}${recorded.duplicate ? ' (a redelivery, recorded before)' : ''}`,
    );
    return answer(response, 200, { ok: true, event: recorded.id, duplicate: recorded.duplicate });
  } catch (error) {
    if (error instanceof HasuraPayloadError) return answer(response, 400, { error: error.message });
    throw error;
  }
}

/** Compared in constant time (digests, so the lengths agree too). */
function sameSecret(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** `host:port` (`127.0.0.1:8787`, `[::1]:8787`, `:8787` for every interface), or why not. */
export function parseListenAddress(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new Error(`--listen must be host:port, such as 127.0.0.1:8787, not '${value}'`);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

/**
 * The listener of `skene run --listen`. On a PostgreSQL source (`databaseUrl`), a small pool of
 * its own (the `pg` driver loaded here, so importing core does not load it) records Hasura's
 * events and consent in that database; on a source whose state lives elsewhere, consent goes to
 * that `store` (no `/hasura`). `close` ends what it opened.
 */
export async function startRunListener(options: {
  databaseUrl?: string;
  store?: RunStateStore;
  listen: string;
  hasuraSecret?: string;
  unsubscribeSecret?: string;
  webhookSecret?: string;
  schema?: string;
  log?: (line: string) => void;
}): Promise<Listener> {
  const { host, port } = parseListenAddress(options.listen);
  let pool: import('pg').Pool | undefined;
  if (options.databaseUrl) {
    const { default: pg } = await import('pg');
    pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2, application_name: 'skene run --listen' });
    pool.on('error', () => {}); // a dropped idle connection is replaced on the next delivery
  }
  try {
    const store = options.store ?? (pool ? postgresStateStore(pool) : undefined);
    // The suppression table exists before the first link is clicked, whether or not a pass ran yet.
    await store?.ensure();
    const query: Query | undefined = pool ? (sql, params) => pool.query(sql, params) : undefined;
    const listener = await startListener({
      host,
      port,
      hasuraSecret: options.hasuraSecret,
      schema: options.schema,
      log: options.log,
      query,
      consent: store ? { store, unsubscribeSecret: options.unsubscribeSecret, webhookSecret: options.webhookSecret } : undefined,
    });
    return { url: listener.url, close: async () => (await listener.close(), await pool?.end()) };
  } catch (error) {
    await pool?.end();
    throw new Error(`--listen ${options.listen}: ${(error as Error).message}`, { cause: error });
  }
}
