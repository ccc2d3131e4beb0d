/**
 * What the read-only guard needs to know of a PostgreSQL database before its conditions run: every
 * function name it has (extensions and newer versions included), the names defined outside
 * pg_catalog (which an unqualified call or `x.name` may resolve to), and operators defined outside
 * pg_catalog. Read once per plan and source, in the plan's read-only transaction.
 */
import { STATIC_POSTGRES_CATALOG, type PostgresCatalog } from '../guard/index.js';
import type { SqlSession } from '../sources/types.js';

/**
 * Functions by name: built in (pg_catalog), from an extension, or the database's own. Operators:
 * only the database's own (an extension's, such as citext's `=`, are as trusted as the built-ins).
 */
const CATALOG_SQL = `
SELECT 'f' AS kind, p.proname AS name,
       CASE WHEN n.nspname = 'pg_catalog' THEN 'builtin'
            WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid AND d.deptype = 'e') THEN 'extension'
            ELSE 'own' END AS origin
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname <> 'information_schema'
UNION
SELECT 'o', o.oprname, 'own'
  FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_operator'::pg_catalog.regclass AND d.objid = o.oid AND d.deptype = 'e')`;

const catalogs = new WeakMap<object, Promise<PostgresCatalog>>();

/** The catalog of the database behind `source`, read once (through `session`). */
export function postgresCatalog(source: object, session: SqlSession, at: Date): Promise<PostgresCatalog> {
  let catalog = catalogs.get(source);
  if (!catalog) {
    catalog = session.query(CATALOG_SQL, [], { at, timeoutMs: 10_000 }).then((rows) => {
      const functions = new Set(STATIC_POSTGRES_CATALOG.functions);
      const userFunctions = new Set<string>();
      const userOperators = new Set<string>();
      for (const row of rows) {
        const name = String(row.name);
        if (row.kind === 'o') userOperators.add(name);
        else {
          functions.add(name.toLowerCase());
          if (row.origin === 'own') userFunctions.add(name.toLowerCase());
        }
      }
      return { functions, userFunctions, userOperators };
    });
    catalogs.set(source, catalog);
    catalog.catch(() => catalogs.delete(source));
  }
  return catalog;
}
