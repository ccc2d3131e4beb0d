/** Which data source a URL names, and the URL as it may be shown (password and token masked). */
import type { SourceKind } from './types.js';

export function sourceKindOf(url: string): Exclude<SourceKind, 'pglite'> {
  const kind = kindOfScheme(url);
  const problem = urlProblem(url);
  if (problem) throw new Error(`database URL ${maskUrl(url)} does not parse: ${problem}. Expected ${EXPECTED[kind]}`);
  return kind;
}

/** The form each kind of URL takes, shown when one does not parse. */
const EXPECTED: Record<Exclude<SourceKind, 'pglite'>, string> = {
  postgres: 'postgres://user:password@host:5432/database',
  mysql: 'mysql://user:password@host:3306/database',
  redis: 'redis://:password@host:6379/0 (or rediss://)',
  upstash: 'https://<name>.upstash.io with UPSTASH_REDIS_REST_TOKEN',
};

const RESERVED =
  'the user name or password has a character URLs reserve (/ ? # @ : or a space) — percent-encode it (/ → %2F, ? → %3F, # → %23, @ → %40, : → %3A)';

/**
 * Which part of a database URL is wrong, when `new URL` rejects it ("Invalid URL" alone names
 * none) or it parses only by reading a password's `/` as the path; undefined when it is fine.
 * Never quotes the password.
 */
export function urlProblem(url: string): string | undefined {
  const rest = /^[a-z][a-z0-9+.-]*:\/\/(.*)$/is.exec(url)?.[1];
  let parses = true;
  try {
    new URL(url);
  } catch {
    parses = false;
  }
  if (rest === undefined) return parses ? undefined : 'it does not start with scheme://';
  if (misplacedAt(url)) return RESERVED;
  if (parses) return undefined;
  const at = rest.lastIndexOf('@');
  const authorityEnd = rest.search(/[/?#]/);
  const authority = rest.slice(at + 1, authorityEnd === -1 || authorityEnd < at ? undefined : authorityEnd);
  const hostPort = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/s.exec(authority)!;
  const [, host = '', port] = hostPort;
  if (port !== undefined && !/^\d{0,5}$/.test(port)) return `the port '${port}' is not a number`;
  if (port !== undefined && Number(port) > 65535) return `the port ${port} is above 65535`;
  if (at !== -1 && /[\s<>^`{|}\\]/.test(rest.slice(0, at))) return RESERVED;
  if (!host) return 'the host is missing';
  return `the host '${host}' is not a valid host name`;
}

/**
 * An `@` after the first `/`, `?` or `#` (other than in a query after the path): the user name or
 * password holds one of those unencoded — even when the URL parses, it then names the wrong host.
 */
function misplacedAt(url: string): boolean {
  const rest = /^[a-z][a-z0-9+.-]*:\/\/(.*)$/is.exec(url)?.[1];
  if (rest === undefined) return false;
  const at = rest.lastIndexOf('@');
  const authorityEnd = rest.search(/[/?#]/);
  const query = rest.indexOf('?');
  const inQuery = authorityEnd !== -1 && query > authorityEnd && at > query;
  return at !== -1 && authorityEnd !== -1 && at > authorityEnd && !inQuery;
}

function kindOfScheme(url: string): Exclude<SourceKind, 'pglite'> {
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
    // A password holding an unencoded `/`, `?` or `#` parses as part of the path: mask as text.
    if (misplacedAt(url)) throw new Error('a password URL parsing would split');
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|token|secret|key/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString().replace(/%2A%2A%2A/g, '***');
  } catch {
    // Not a URL: still hide everything between `user:` and the last `@` (a password may hold `/` or `@`).
    const masked = url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@]*):.*@/is, '$1:***@');
    return masked.length > 80 ? `${masked.slice(0, 80)}…` : masked;
  }
}

/** Hides `secret` wherever it appears in `text` (error messages from drivers may echo it). */
/** The URL's password, decoded (to keep out of messages), or undefined when it has none or is not a URL. */
export function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

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
