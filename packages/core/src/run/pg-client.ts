/** One short-lived connection to the runner's database, for `skene status` and `skene resume`. */
import { maskUrl, passwordOf, redact } from '../sources/url.js';
import type { Queryable } from './state.js';

/**
 * Runs `fn` on a connection to `url` and closes it. An error that is not `keep(error)` becomes
 * "cannot <doing> in <masked URL>: <reason>", with the URL and its password taken out.
 */
export async function withPgClient<T>(
  options: { url: string; name: string; doing: string; keep?: (error: unknown) => boolean },
  fn: (db: Queryable, label: string) => Promise<T>,
): Promise<T> {
  const url = options.url.trim();
  // Loaded here: core's index exports the runner, and importing core must not load a driver.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, application_name: options.name });
  client.on('error', () => {});
  try {
    await client.connect();
    return await fn(client as unknown as Queryable, maskUrl(url));
  } catch (error) {
    if (options.keep?.(error)) throw error;
    const reason = redact(error instanceof Error ? error.message : String(error), [url, passwordOf(url)]);
    throw new Error(`cannot ${options.doing} in ${maskUrl(url)}: ${reason}`, { cause: error });
  } finally {
    await client.end().catch(() => {});
  }
}
