/**
 * A stand-in for Upstash's REST API on 127.0.0.1 that speaks its wire format and forwards every
 * command to a real Redis: `POST /` with `["CMD", …args]` → `{"result": …}` or `{"error": "…"}`,
 * `POST /pipeline` with `[[…], …]` → `[{"result": …}, …]`, `Authorization: Bearer <token>`
 * (401 without it). It records the commands it received, so tests can see what a plan sent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';

export interface UpstashDouble {
  url: string;
  token: string;
  received: string[][];
  close(): Promise<void>;
}

export async function startUpstashDouble(redisUrl: string, token = 'test-token-123'): Promise<UpstashDouble> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0 });
  await redis.connect();
  const received: string[][] = [];
  const run = async (command: unknown): Promise<{ result?: unknown; error?: string }> => {
    if (!Array.isArray(command) || command.length === 0) return { error: 'ERR command must be a non-empty array' };
    const args = command.map(String);
    received.push(args);
    try {
      return { result: await redis.call(args[0]!, ...args.slice(1)) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: 'Unauthorized' });
      if (req.method !== 'POST') return send(405, { error: 'ERR only POST is supported by this double' });
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(400, { error: 'ERR failed to parse command' });
      }
      if (req.url === '/pipeline' || req.url === '/multi-exec') {
        if (!Array.isArray(body)) return send(400, { error: 'ERR pipeline body must be an array of commands' });
        const out = [];
        for (const command of body) out.push(await run(command));
        return send(200, out);
      }
      const result = await run(body);
      return send(result.error ? 400 : 200, result);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    received,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis.disconnect();
    },
  };
}
