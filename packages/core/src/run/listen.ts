/**
 * `skene run --listen host:port`: the runner's HTTP endpoint. `POST /hasura` takes Hasura's event
 * trigger deliveries (see hasura.ts), checked by a shared secret in the `x-skene-secret` header
 * (set it as a header of the event trigger in Hasura's metadata); `GET /health` answers 200.
 * Hasura retries anything but a 2xx, so a refusal is a 4xx with the reason, and an event
 * recorded before answers 200 again.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HasuraPayloadError, parseHasuraEvent, recordHasuraEvent, type Query } from './hasura.js';

/** The largest body accepted: a Hasura payload holds one row (old and new). */
const MAX_BODY_BYTES = 1024 * 1024;
export const SECRET_HEADER = 'x-skene-secret';

export interface ListenerOptions {
  host: string;
  port: number;
  /** The shared secret Hasura sends; without one, `/hasura` refuses every delivery. */
  hasuraSecret?: string;
  query: Query;
  schema?: string;
  /** One line per delivery (never the secret, never the row). */
  log?: (line: string) => void;
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
  if (path !== '/hasura') return answer(response, 404, { error: `no ${path} here: Hasura's event trigger posts to /hasura` });
  if (request.method !== 'POST') return answer(response, 405, { error: 'POST only' });
  if (!options.hasuraSecret)
    return answer(response, 403, {
      error: 'no secret configured: set SKENE_HASURA_SECRET for skene run, and the same value as the x-skene-secret header of the event trigger',
    });
  if (!sameSecret(request.headers[SECRET_HEADER], options.hasuraSecret)) {
    options.log?.('hasura: refused a delivery with a wrong or missing x-skene-secret');
    return answer(response, 401, { error: 'wrong or missing x-skene-secret header' });
  }
  const body = await readBody(request);
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

/** The body as UTF-8, or undefined when it is over the limit. */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

/** `host:port` (`127.0.0.1:8787`, `[::1]:8787`, `:8787` for every interface), or why not. */
export function parseListenAddress(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new Error(`--listen must be host:port, such as 127.0.0.1:8787, not '${value}'`);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

/**
 * The listener of `skene run --listen`, on the runner's database: a small pool of its own (the
 * `pg` driver loaded here, so importing core does not load it). `close` ends both.
 */
export async function startRunListener(options: {
  databaseUrl: string;
  listen: string;
  hasuraSecret?: string;
  schema?: string;
  log?: (line: string) => void;
}): Promise<Listener> {
  const { host, port } = parseListenAddress(options.listen);
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2, application_name: 'skene run --listen' });
  pool.on('error', () => {}); // a dropped idle connection is replaced on the next delivery
  try {
    const listener = await startListener({
      host,
      port,
      hasuraSecret: options.hasuraSecret,
      schema: options.schema,
      log: options.log,
      query: (sql, params) => pool.query(sql, params),
    });
    return { url: listener.url, close: async () => (await listener.close(), await pool.end()) };
  } catch (error) {
    await pool.end();
    throw new Error(`--listen ${options.listen}: ${(error as Error).message}`, { cause: error });
  }
}
