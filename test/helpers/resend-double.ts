/**
 * A stand-in for Resend's HTTP API on 127.0.0.1, for tests of the runner's sending side. It speaks
 * the wire format the `resend` SDK uses (`POST /emails` with a JSON object, `POST /emails/batch`
 * with a bare JSON array of ≤ 100), checks the Bearer key, and implements the idempotency rules
 * Resend documents: the same key and payload replay the first answer without delivering again,
 * another payload under that key is a 409 `invalid_idempotent_request`, and a key whose first
 * request is still running is a 409 `concurrent_idempotent_requests`. Only accepted requests keep
 * their key (Resend remembers emails "already sent"), so a retry after a 500 with the same key is
 * delivered. Faults (429, 5xx, 422, quotas, hangs, resets) are scripted per path, one per request.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export type DoublePath = '/emails' | '/emails/batch';

/** One scripted answer. `hang` never answers, `reset` drops the connection, `afterDelivery` delivers first (a lost response). */
export interface ScriptedResponse {
  status?: number;
  body?: unknown;
  /** A body sent as is (e.g. an HTML error page from a proxy), instead of JSON. */
  raw?: string;
  headers?: Record<string, string>;
  delayMs?: number;
  hang?: boolean;
  reset?: boolean;
  afterDelivery?: boolean;
}

export interface DeliveredEmail {
  id: string;
  path: DoublePath;
  /** The email as it arrived on the wire (snake_case fields). */
  email: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  idempotencyKey?: string;
  /** The position in a batch request. */
  index?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  status: number | 'hang' | 'reset';
}

export interface ResendDouble {
  url: string;
  apiKey: string;
  /** Every email delivered, once per delivery: a replayed idempotent request adds nothing. */
  delivered: DeliveredEmail[];
  requests: RecordedRequest[];
  requestCount(path?: DoublePath): number;
  /** Queues answers for the next requests to `path`, in order; requests beyond them behave normally. */
  script(path: DoublePath, ...responses: ScriptedResponse[]): void;
  setLatency(ms: number): void;
  /** Forgets every idempotency key, as Resend does after 24 hours. */
  forgetKeys(): void;
  close(): Promise<void>;
}

/** Error answers in Resend's shape (`{ statusCode, name, message }`), for `script()`. */
export const faults = {
  error: (status: number, name: string, message: string, headers?: Record<string, string>): ScriptedResponse => ({
    status,
    body: { statusCode: status, name, message },
    headers,
  }),
  rateLimit: (retryAfterSeconds = 1) =>
    faults.error(429, 'rate_limit_exceeded', 'Too many requests. You can only make 2 requests per second.', {
      'retry-after': String(retryAfterSeconds),
      'ratelimit-limit': '2',
      'ratelimit-remaining': '0',
      'ratelimit-reset': String(retryAfterSeconds),
    }),
  dailyQuota: () => faults.error(429, 'daily_quota_exceeded', 'You have reached your daily email sending quota.'),
  monthlyQuota: () => faults.error(429, 'monthly_quota_exceeded', 'You have reached your monthly email sending quota.'),
  serverError: (status = 500) => faults.error(status, 'internal_server_error', 'An unexpected error occurred.'),
  validation: (message = 'Invalid `to` field.', status = 422) => faults.error(status, 'validation_error', message),
  /** A non-JSON error page, as a proxy in front of the API would send. */
  htmlError: (status = 502): ScriptedResponse => ({ status, raw: '<html><body>Bad gateway</body></html>', headers: { 'content-type': 'text/html' } }),
  hang: (): ScriptedResponse => ({ hang: true }),
  reset: (): ScriptedResponse => ({ reset: true }),
  /** The email is delivered, then the connection drops before the answer: the client cannot know it went out. */
  lostResponse: (): ScriptedResponse => ({ afterDelivery: true, reset: true }),
};

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface KeyEntry {
  fingerprint: string;
  answer?: Answer; // unset while the first request is in flight
}

const MAX_BATCH = 100;
const MAX_KEY_LENGTH = 256;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const errorAnswer = (status: number, name: string, message: string): Answer => ({ status, body: { statusCode: status, name, message } });

/** JSON with sorted keys, so that two payloads that differ only in key order count as the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The checks Resend makes on one email that matter to a sender: required fields and a plausible `from`. */
function validateEmail(email: unknown): Answer | undefined {
  if (!email || typeof email !== 'object' || Array.isArray(email)) return errorAnswer(422, 'validation_error', 'Each email must be an object.');
  const e = email as Record<string, unknown>;
  for (const field of ['from', 'to', 'subject']) {
    if (e[field] === undefined || e[field] === '') return errorAnswer(422, 'missing_required_field', `Missing \`${field}\` field.`);
  }
  if (typeof e.from !== 'string' || !/@[^@\s>]+\.[^@\s>]+>?\s*$/.test(e.from)) {
    return errorAnswer(
      422,
      'invalid_from_address',
      'Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.',
    );
  }
  return undefined;
}

function validateBody(path: DoublePath, body: unknown): Answer | undefined {
  if (path === '/emails') return validateEmail(body);
  if (!Array.isArray(body)) return errorAnswer(422, 'validation_error', 'The batch body must be an array of emails.');
  if (body.length === 0 || body.length > MAX_BATCH) return errorAnswer(422, 'validation_error', `A batch holds 1 to ${MAX_BATCH} emails.`);
  for (const email of body) {
    const problem = validateEmail(email);
    if (problem) return problem;
  }
  return undefined;
}

function checkAuth(headers: IncomingHttpHeaders, apiKey: string): Answer | undefined {
  const auth = headers.authorization;
  if (!auth || !auth.startsWith('Bearer ') || auth.length <= 'Bearer '.length)
    return errorAnswer(401, 'missing_api_key', 'Missing API key in the authorization header.');
  if (auth.slice('Bearer '.length) !== apiKey) return errorAnswer(403, 'invalid_api_key', 'API key is invalid');
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, answer: { status: number; body?: unknown; raw?: string; headers?: Record<string, string> }) {
  const text = answer.raw ?? JSON.stringify(answer.body ?? {});
  res.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    ...answer.headers,
    'content-length': String(Buffer.byteLength(text, 'utf8')),
  });
  res.end(text);
}

/** Starts a double on a random loopback port. `apiKey` is the only key it accepts. */
export async function startResendDouble(options: { apiKey?: string; latencyMs?: number } = {}): Promise<ResendDouble> {
  const apiKey = options.apiKey ?? 're_test_double_key';
  let latencyMs = options.latencyMs ?? 0;
  const scripts = new Map<DoublePath, ScriptedResponse[]>([
    ['/emails', []],
    ['/emails/batch', []],
  ]);
  const keys = new Map<string, KeyEntry>();
  const delivered: DeliveredEmail[] = [];
  const requests: RecordedRequest[] = [];

  function deliver(path: DoublePath, body: unknown, headers: IncomingHttpHeaders, idempotencyKey?: string): Answer {
    const emails = path === '/emails' ? [body] : (body as unknown[]);
    const ids = emails.map((email, i) => {
      const id = randomUUID();
      delivered.push({ id, path, email: email as Record<string, unknown>, headers, idempotencyKey, index: path === '/emails' ? undefined : i });
      return id;
    });
    return { status: 200, body: path === '/emails' ? { id: ids[0] } : { data: ids.map((id) => ({ id })) } };
  }

  /** Delivers unless the idempotency key says this request was already answered (or is being answered). */
  async function accept(path: DoublePath, body: unknown, headers: IncomingHttpHeaders): Promise<Answer> {
    const header = headers['idempotency-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined) {
      if (latencyMs) await sleep(latencyMs);
      return deliver(path, body, headers);
    }
    if (key.length < 1 || key.length > MAX_KEY_LENGTH) return errorAnswer(400, 'invalid_idempotency_key', 'The key must be between 1-256 chars.');
    const fingerprint = `${path} ${canonical(body)}`;
    const known = keys.get(key);
    if (known && known.fingerprint !== fingerprint) {
      return errorAnswer(409, 'invalid_idempotent_request', 'Same idempotency key used with a different request payload.');
    }
    if (known && !known.answer) {
      return errorAnswer(409, 'concurrent_idempotent_requests', 'Same idempotency key used while original request is still in progress.');
    }
    if (known?.answer) return known.answer;
    const entry: KeyEntry = { fingerprint };
    keys.set(key, entry);
    if (latencyMs) await sleep(latencyMs);
    entry.answer = deliver(path, body, headers, key);
    return entry.answer;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '').split('?')[0];
    const text = await readBody(req);
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // kept as text: the answer below says it is not JSON
    }
    const record: RecordedRequest = { method: req.method ?? '', path, headers: req.headers, body, status: 0 };
    requests.push(record);
    const send = (answer: Parameters<typeof reply>[1]) => {
      record.status = answer.status;
      reply(res, answer);
    };

    if (req.method !== 'POST' || (path !== '/emails' && path !== '/emails/batch')) {
      if (scripts.has(path as DoublePath)) return send(errorAnswer(405, 'method_not_allowed', 'Method not allowed.'));
      return send(errorAnswer(404, 'not_found', 'The requested endpoint does not exist.'));
    }
    const auth = checkAuth(req.headers, apiKey);
    if (auth) return send(auth);
    const scripted = scripts.get(path)!.shift();
    if (scripted?.delayMs) await sleep(scripted.delayMs);
    if (scripted && !scripted.afterDelivery) {
      if (scripted.hang) return void (record.status = 'hang'); // left open until close()
      if (scripted.reset) return void ((record.status = 'reset'), res.socket?.destroy());
      return send({ status: scripted.status ?? 500, body: scripted.body, raw: scripted.raw, headers: scripted.headers });
    }
    if (typeof body === 'string') return send(errorAnswer(400, 'validation_error', 'The body must be JSON.'));
    const invalid = validateBody(path, body);
    if (invalid) return send(invalid);
    const answer = await accept(path, body, req.headers);
    if (scripted?.reset) return void ((record.status = 'reset'), res.socket?.destroy());
    if (scripted?.hang) return void (record.status = 'hang');
    if (scripted) return send({ status: scripted.status ?? 500, body: scripted.body, raw: scripted.raw, headers: scripted.headers });
    send(answer);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, errorAnswer(500, 'application_error', `double: ${String(error)}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    delivered,
    requests,
    requestCount: (path) => requests.filter((r) => path === undefined || r.path === path).length,
    script: (path, ...responses) => void scripts.get(path)!.push(...responses),
    setLatency: (ms) => void (latencyMs = ms),
    forgetKeys: () => keys.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections(); // hung requests would otherwise keep close() waiting forever
        server.close(() => resolve());
      }),
  };
}
