/** The listener's small HTTP helpers (listen.ts and its handlers): bounded bodies, JSON and HTML answers. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The body as bytes, or undefined when it is over `max` bytes. */
export async function readRawBody(request: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > max) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The body as UTF-8, or undefined when it is over `max` bytes. */
export async function readBody(request: IncomingMessage, max: number): Promise<string | undefined> {
  return (await readRawBody(request, max))?.toString('utf8');
}

export function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

/**
 * A page for a person's browser: never cached, never indexed, no referrer sent on, nothing
 * loaded from elsewhere, and forms that post only back here.
 */
export function answerPage(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-robots-tag': 'noindex',
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  });
  response.end(html);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
