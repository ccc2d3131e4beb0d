/**
 * Whether a MySQL-protocol source is TiDB, which has no triggers: its changes are captured by
 * watermark (capture-watermark.ts) instead of the trigger-fed events table MySQL and MariaDB get.
 * The config decides first — `database.flavor` wins over everything, so tests run watermark
 * capture on MariaDB — then the URL (`tidb://`, a `*.tidbcloud.com` host), then the server itself.
 */
import type { LoadedConfig } from '../plan/load-config.js';
import type { Row } from '../sources/types.js';
import { describe, maskUrl, redact } from '../sources/url.js';

export type CaptureMode = 'watermark' | 'triggers';

/** TiDB Cloud's hosts (`gateway01.us-west-2.prod.aws.tidbcloud.com`) or a `tidb://` URL. */
export function isTidbUrl(url: string | undefined): boolean {
  if (!url) return false;
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  if (scheme === 'tidb') return true;
  try {
    const host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
    return host === 'tidbcloud.com' || host.endsWith('.tidbcloud.com');
  } catch {
    return false;
  }
}

/**
 * TiDB or not, from the config and the URL alone: `true`/`false` when they decide it, `undefined`
 * when only the server can tell. A forced `database.flavor` wins over the URL.
 */
export function tidbFromConfig(options: { url: string | undefined; config: Pick<LoadedConfig, 'database'> }): boolean | undefined {
  const flavor = options.config.database?.flavor;
  if (flavor) return flavor === 'tidb';
  return isTidbUrl(options.url) ? true : undefined;
}

/**
 * Whether the source at `url` is TiDB: the config and URL first (`tidbFromConfig`), else the
 * server's answer — `VERSION()` naming TiDB, or `SELECT tidb_version()` succeeding (a TiDB whose
 * version string is set to look like MySQL's), as the plan's MySQL source decides it.
 */
export async function isTidb(options: { url: string; config: Pick<LoadedConfig, 'database'>; connectTimeoutMs?: number }): Promise<boolean> {
  const decided = tidbFromConfig(options);
  if (decided !== undefined) return decided;
  const { default: mysql } = await import('mysql2/promise');
  const { connectionOptions, mysqlFlavor } = await import('../sources/mysql.js');
  const settings = connectionOptions(options.url, options.connectTimeoutMs ?? 5000, false);
  let connection;
  try {
    connection = await mysql.createConnection(settings);
  } catch (error) {
    throw new Error(`cannot connect to ${maskUrl(options.url)}: ${redact(describe(error), [settings.password])}`);
  }
  connection.on('error', () => {});
  try {
    const [rows] = await connection.query('SELECT VERSION() AS v');
    const version = String((rows as Row[])[0]?.v ?? '');
    const answersTidbVersion = await connection.query('SELECT tidb_version() AS v').then(
      () => true,
      () => false,
    );
    return mysqlFlavor(version, answersTidbVersion) === 'tidb';
  } finally {
    await connection.end().catch(() => {});
  }
}

/** How changes of a MySQL-protocol source are captured: by watermark on TiDB, by triggers elsewhere. */
export async function mysqlCaptureMode(options: { url: string; config: Pick<LoadedConfig, 'database'> }): Promise<CaptureMode> {
  return (await isTidb(options)) ? 'watermark' : 'triggers';
}
