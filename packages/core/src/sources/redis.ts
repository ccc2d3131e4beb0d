/**
 * Redis sources: TCP (`redis://`, `rediss://`, via ioredis) and Upstash's REST API (`https://…`
 * with its token, via fetch). Both speak through one `RedisTransport` (a batch of commands in one
 * round trip), and everything else — the read allow-list, key prefixes, scanning `users:<id>`
 * hashes — is shared.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { assertReadCommand, parseCommandFile, prefixKeys } from './redis-commands.js';
import { retryDrop, serverLabel, type ScratchDatabase } from './scratch-database.js';
import { maskUrl, redact } from './url.js';
import { SourceError, type RedisHash, type RedisReply, type RedisSource, type SeedFile } from './types.js';

export interface RedisTransport {
  send(commands: string[][], timeoutMs: number): Promise<(RedisReply | Error)[]>;
  close(): Promise<void>;
}

export interface RedisSourceOptions {
  /** Put before every key (tests use one per file so they never collide). */
  keyPrefix?: string;
  connectTimeoutMs?: number;
}

export function redisSource(kind: 'redis' | 'upstash', label: string, transport: RedisTransport, options: RedisSourceOptions = {}): RedisSource {
  const prefix = options.keyPrefix ?? '';
  return {
    kind,
    dialect: 'redis',
    label,
    async seed(files: SeedFile[]) {
      for (const file of files) {
        const commands = parseCommandFile(file.text, file.path).map((c) => prefixKeys(c, prefix));
        for (let i = 0; i < commands.length; i += 500) {
          const replies = await transport.send(commands.slice(i, i + 500), 30_000);
          const failed = replies.findIndex((r) => r instanceof Error);
          if (failed !== -1)
            throw new Error(`seed ${file.path}: command ${i + failed + 1} (${commands[i + failed]![0]}) failed: ${(replies[failed] as Error).message}`);
        }
      }
    },
    async read(commands: string[][], timeoutMs: number) {
      for (const command of commands) assertReadCommand(command);
      if (commands.length === 0) return [];
      return transport.send(
        commands.map((c) => prefixKeys(c, prefix)),
        timeoutMs,
      );
    },
    async hashes(keyPrefix: string, timeoutMs: number): Promise<RedisHash[]> {
      const pattern = `${prefix}${escapeGlob(keyPrefix)}:*`;
      const keys = new Set<string>();
      let cursor = '0';
      do {
        // SCAN is read-only but takes no key argument: sent directly, with the prefix already applied.
        const [reply] = await transport.send([['SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000']], timeoutMs);
        if (reply instanceof Error) throw reply;
        const [next, batch] = reply as [string, string[]];
        for (const key of batch) keys.add(key.slice(prefix.length));
        cursor = String(next);
      } while (cursor !== '0');
      const sorted = [...keys].filter((k) => !k.slice(keyPrefix.length + 1).includes(':')).sort(compareIds);
      const out: RedisHash[] = [];
      for (let i = 0; i < sorted.length; i += 500) {
        const slice = sorted.slice(i, i + 500);
        const replies = await transport.send(
          slice.map((k) => ['HGETALL', prefix + k]),
          timeoutMs,
        );
        replies.forEach((reply, j) => {
          if (reply instanceof Error) return; // not a hash (WRONGTYPE): not a row
          const fields = toFields(reply);
          if (Object.keys(fields).length) out.push({ key: slice[j]!, id: slice[j]!.slice(keyPrefix.length + 1), fields });
        });
      }
      return out;
    },
    close: () => transport.close(),
  };
}

/** `[f1, v1, f2, v2]` (RESP) or `{f1: v1}` (ioredis' transformed HGETALL) → object. */
export function toFields(reply: unknown): Record<string, string> {
  if (Array.isArray(reply)) {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < reply.length; i += 2) fields[String(reply[i])] = String(reply[i + 1]);
    return fields;
  }
  if (reply && typeof reply === 'object') return Object.fromEntries(Object.entries(reply).map(([k, v]) => [k, String(v)]));
  return {};
}

/** Numeric ids in numeric order, then the rest in code-point order: stable on every source. */
function compareIds(a: string, b: string): number {
  const na = /:(\d+)$/.exec(a)?.[1];
  const nb = /:(\d+)$/.exec(b)?.[1];
  if (na !== undefined && nb !== undefined && na.length !== nb.length) return na.length - nb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

export async function openRedis(url: string, options: RedisSourceOptions = {}): Promise<RedisSource> {
  const { label, transport } = await openRedisTransport(url, options);
  return redisSource('redis', label, transport, options);
}

/** A TCP connection (ioredis) as a transport; any command may be sent (capture writes its own keys). */
export async function openRedisTransport(url: string, options: RedisSourceOptions = {}): Promise<{ label: string; transport: RedisTransport }> {
  const label = maskUrl(url);
  let password: string | undefined;
  try {
    password = decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    throw new Error(`invalid Redis URL ${label}`);
  }
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null, // fail fast: a plan never waits on a reconnect loop
    enableOfflineQueue: false,
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new Error(`cannot connect to ${label}: ${redact((error as Error).message, [password])}`);
  }
  const transport: RedisTransport = {
    async send(commands, timeoutMs) {
      const pipeline = client.pipeline(commands.map(([name, ...args]) => ['call', name!, ...args]) as never);
      const timer = new Promise<never>((_, reject) => {
        const t = setTimeout(() => reject(new SourceError(`Redis did not answer within ${timeoutMs}ms`, true, 'ETIMEDOUT', 'timeout')), timeoutMs);
        t.unref();
      });
      let results: [Error | null, unknown][] | null;
      try {
        results = await Promise.race([pipeline.exec(), timer]);
      } catch (error) {
        if (error instanceof SourceError) throw error;
        throw new SourceError(redact((error as Error).message, [password]), true, 'ECONNRESET', 'connection');
      }
      return (results ?? []).map(([err, value]) => (err ? new Error(err.message) : (value as RedisReply)));
    },
    async close() {
      client.disconnect();
    },
  };
  return { label, transport };
}

/** Upstash's REST API: POST /pipeline with `[[cmd, …args], …]`, `Authorization: Bearer <token>`. */
export async function openUpstash(url: string, token: string | undefined, options: RedisSourceOptions = {}): Promise<RedisSource> {
  const { label, transport } = await openUpstashTransport(url, token, options);
  return redisSource('upstash', label, transport, options);
}

/** Upstash's REST API as a transport, its token checked with a PING; any command may be sent. */
export async function openUpstashTransport(
  url: string,
  token: string | undefined,
  options: RedisSourceOptions = {},
): Promise<{ label: string; transport: RedisTransport }> {
  const label = maskUrl(url);
  if (!token) {
    throw new Error(`${label} is an Upstash REST URL: set its token with UPSTASH_REDIS_REST_TOKEN (or database.token in defineConfig)`);
  }
  const base = url.replace(/\/+$/, '');
  const transport: RedisTransport = {
    async send(commands, timeoutMs) {
      let response: Response;
      try {
        response = await fetch(`${base}/pipeline`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(commands),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'TimeoutError' || name === 'AbortError')
          throw new SourceError(`Upstash did not answer within ${timeoutMs}ms`, true, 'ETIMEDOUT', 'timeout');
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new SourceError(`cannot reach ${label}: ${redact(cause?.message ?? (error as Error).message, [token])}`, true, cause?.code, 'connection');
      }
      if (response.status === 401 || response.status === 403) {
        throw new SourceError(
          `${label} refused the token (HTTP ${response.status}): check UPSTASH_REDIS_REST_TOKEN`,
          false,
          String(response.status),
          'connection',
        );
      }
      if (response.status === 429 || response.status >= 500) {
        throw new SourceError(`${label} answered HTTP ${response.status}`, true, String(response.status), 'connection');
      }
      const body = (await response.json().catch(() => null)) as unknown;
      if (!response.ok || !Array.isArray(body)) {
        const error = body && typeof body === 'object' && 'error' in body ? String((body as { error: unknown }).error) : `HTTP ${response.status}`;
        throw new SourceError(`${label}: ${error}`, false, String(response.status), 'query');
      }
      return body.map((item: { result?: RedisReply; error?: string }) => (item && item.error !== undefined ? new Error(item.error) : (item?.result ?? null)));
    },
    async close() {},
  };
  // Fail now, with one clear line, rather than on the first condition.
  const [pong] = await transport.send([['PING']], options.connectTimeoutMs ?? 5000).catch((error: Error) => {
    throw new Error(error.message.startsWith('cannot reach') ? error.message : `cannot connect to ${label}: ${error.message}`);
  });
  if (pong instanceof Error) throw new Error(`cannot connect to ${label}: ${pong.message}`);
  return { label, transport };
}

/** The key that claims a scratch logical database; its value is the claiming plan's random token. */
export const SCRATCH_MARKER = 'skene:scratch';

/** The logical databases a plan may seed: 1–15 (never 0, where applications live), not the URL's own. */
const SCRATCH_CANDIDATES = Array.from({ length: 15 }, (_, i) => i + 1);

/**
 * Claims an empty logical database on the URL's server (never the URL's own): one with no keys
 * gets the marker with `SET … NX`, and is ours only if the marker is then its only key, so two
 * plans never share one and a database someone else is filling is left alone. Dropping it is a
 * FLUSHDB inside MULTI, guarded by WATCH on the marker: it runs only while the marker still holds
 * our token.
 */
export async function createRedisScratch(url: string, options: RedisSourceOptions = {}): Promise<ScratchDatabase> {
  const label = maskUrl(url);
  let password: string | undefined;
  let own = 0;
  try {
    const parsed = new URL(url);
    password = decodeURIComponent(parsed.password) || undefined;
    own = Number(parsed.pathname.replace(/^\//, '') || parsed.searchParams.get('db') || 0) || 0;
  } catch {
    throw new Error(`invalid Redis URL ${label}`);
  }
  const connect = async (db?: number) => {
    const client = new Redis(url, {
      lazyConnect: true,
      connectTimeout: options.connectTimeoutMs ?? 5000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
      ...(db === undefined ? {} : { db }),
    });
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      throw new Error(`cannot connect to ${label}: ${redact((error as Error).message, [password])}`);
    }
    return client;
  };
  const token = randomBytes(16).toString('hex');
  const noScratch = (why: string) =>
    new Error(
      `cannot seed on ${serverLabel(url)}: ${why}. A plan with --seed never seeds the database a URL names (here ${own}): it claims an empty logical database (1–15), seeds and plans there, and flushes it. ` +
        'Free one, or seed a throwaway Redis yourself and plan against it without --seed.',
    );
  let admin: Redis | undefined = await connect();
  let claimed: number | undefined;
  let available = 0;
  try {
    for (const db of SCRATCH_CANDIDATES) {
      if (db === own) continue;
      try {
        await admin.select(db);
      } catch (error) {
        const message = (error as Error).message;
        if (/out of range|invalid/i.test(message)) break; // the server has fewer databases
        if (/not allowed in cluster mode|unknown command|NOPERM|no permissions/i.test(message)) break;
        throw error;
      }
      available++;
      if ((await admin.dbsize()) !== 0) continue;
      if ((await admin.set(SCRATCH_MARKER, token, 'NX')) !== 'OK') continue;
      if ((await admin.dbsize()) === 1) {
        claimed = db;
        break;
      }
      await releaseMarker(admin, token); // someone else is writing here: not ours
    }
  } catch (error) {
    admin.disconnect();
    throw new Error(`cannot claim a scratch logical database on ${serverLabel(url)}: ${redact((error as Error).message, [password])}`);
  }
  if (claimed === undefined) {
    admin.disconnect();
    throw available === 0 ? noScratch('it has a single logical database (or refuses SELECT)') : noScratch(`all ${available} other logical databases hold keys`);
  }
  const db = claimed;
  const scratchUrl = new URL(url);
  scratchUrl.pathname = `/${db}`;
  scratchUrl.searchParams.delete('db');
  return {
    url: scratchUrl.toString(),
    name: `logical database ${db}`,
    async drop() {
      try {
        await retryDrop(
          async () => {
            admin ??= await connect(db);
            await admin.select(db);
            // End the plan's own connections to it first: a seed batch still in flight must not land after FLUSHDB.
            await endClientsOf(admin, db);
            await admin.watch(SCRATCH_MARKER);
            if ((await admin.get(SCRATCH_MARKER)) !== token) {
              await admin.unwatch();
              return; // not ours any more (someone flushed it): leave it
            }
            await admin.multi().flushdb().exec();
          },
          {
            retry: () => 'reconnect',
            reconnect: async () => {
              admin?.disconnect();
              admin = undefined;
            },
          },
        ).catch((error: unknown) => {
          throw new Error(
            `could not flush the scratch logical database ${db} on ${serverLabel(url)}: ${redact((error as Error).message, [password])} — flush it by hand: redis-cli -n ${db} FLUSHDB (check first that ${SCRATCH_MARKER} is there)`,
          );
        });
      } finally {
        admin?.disconnect();
        admin = undefined;
      }
    },
  };
}

/** `CLIENT KILL` for every other connection using logical database `db` (where CLIENT is allowed). */
async function endClientsOf(admin: Redis, db: number): Promise<void> {
  try {
    const own = String(await admin.client('ID'));
    const list = String(await admin.client('LIST'));
    for (const line of list.split('\n')) {
      const fields = Object.fromEntries(
        line
          .trim()
          .split(' ')
          .map((kv) => kv.split('=') as [string, string]),
      );
      if (fields.db === String(db) && fields.id && fields.id !== own) await admin.client('KILL', 'ID', fields.id).catch(() => {});
    }
  } catch {
    // CLIENT refused (managed Redis, ACLs): the source was closed before this anyway
  }
}

/** Deletes the marker only if it still holds `token` (WATCH, then DEL in MULTI). */
async function releaseMarker(client: Redis, token: string): Promise<void> {
  await client.watch(SCRATCH_MARKER);
  if ((await client.get(SCRATCH_MARKER)) === token) await client.multi().del(SCRATCH_MARKER).exec();
  else await client.unwatch();
}
