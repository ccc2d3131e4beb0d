/** Which data source a URL names, and the URL as it may be shown (password and token masked). */
import type { SourceKind } from './types.js';

export function sourceKindOf(url: string): Exclude<SourceKind, 'pglite'> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'postgres':
    case 'postgresql':
      return 'postgres';
    case 'mysql':
    case 'mariadb':
    case 'tidb':
      return 'mysql';
    case 'redis':
    case 'rediss':
      return 'redis';
    case 'http':
    case 'https':
      return 'upstash';
    default:
      throw new Error(
        `unsupported database URL ${maskUrl(url)}: use postgres://, mysql://, redis:// / rediss://, or an Upstash REST URL (https://…upstash.io) with its token`,
      );
  }
}

/** `postgres://user:***@host/db`: the password (and `password=`/`token=` query values) never reach output. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|token|secret|key/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString().replace(/%2A%2A%2A/g, '***');
  } catch {
    // Not a URL: still hide anything that looks like `user:password@`.
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@').replace(/^(.{0,40}).*$/s, (_m, head: string) => (url.length > 40 ? `${head}…` : head));
  }
}

/** Hides `secret` wherever it appears in `text` (error messages from drivers may echo it). */
export function redact(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 3) out = out.split(secret).join('***');
  return out;
}

/** A driver's error as one line, with its code when the message lacks it. */
export function describe(error: unknown): string {
  const e = error as { code?: string; message?: string; errors?: { message?: string }[] };
  if (e?.errors?.length) return e.errors.map((x) => x.message).join('; ');
  const message = e?.message || String(error);
  return e?.code && !message.includes(e.code) ? `${message} (${e.code})` : message;
}
