/**
 * The one dialect type of core: which language a config's conditions are written in. A leaf
 * module (it imports nothing), so every folder may name a dialect without importing another.
 */

export type Dialect = 'postgres' | 'mysql' | 'redis';
export const DIALECTS: readonly Dialect[] = ['postgres', 'mysql', 'redis'];

/** The dialects whose conditions are SQL: what parsers, the read-only guard and identifier quoting take. */
export type SqlDialect = Exclude<Dialect, 'redis'>;

/** The dialect a database URL implies (postgres when there is none). */
export function dialectForUrl(url: string | undefined): Dialect | undefined {
  if (!url) return undefined;
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  if (scheme === 'mysql' || scheme === 'mariadb' || scheme === 'tidb') return 'mysql';
  if (scheme === 'redis' || scheme === 'rediss') return 'redis';
  if (scheme === 'https' && /upstash\.io/i.test(url)) return 'redis';
  return undefined;
}
