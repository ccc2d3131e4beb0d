/**
 * Tables and columns from the schema files a project already has: SQL migrations (also SQL inside
 * TypeScript migrations), `schema.prisma`, Drizzle tables, TypeORM entities, Knex migrations and
 * Hasura metadata; Redis key prefixes from the code that writes them. Pure functions over text.
 */
import type { ProjectFileSource } from './files.js';
import { blankComments, lineAt, matchBracket, splitTopLevel, unquoteIdentifier } from './text.js';
import type { DetectedColumn, DetectedRedisKey, DetectedTable } from './types.js';

const CONSTRAINT_START = /^(constraint|primary\s+key|foreign\s+key|unique|check|index|key|exclude|fulltext|spatial|period)\b/i;

/** `CREATE TABLE` (and `ALTER TABLE … ADD COLUMN`, `DROP TABLE`) statements anywhere in `text`. */
export function tablesFromSql(
  text: string,
  file: string,
  into: Map<string, DetectedTable> = new Map(),
  options: { drops?: boolean } = {},
): Map<string, DetectedTable> {
  const clean = blankComments(text, 'sql');
  const statement =
    /\b(create\s+(?:(?:global\s+|local\s+)?(?:temporary|temp|unlogged)\s+)?table\s+(?:if\s+not\s+exists\s+)?|alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?|drop\s+table\s+(?:if\s+exists\s+)?)((?:[\w$]+|"[^"]+"|`[^`]+`)(?:\.(?:[\w$]+|"[^"]+"|`[^`]+`))?)/gi;
  for (const m of clean.matchAll(statement)) {
    const verb = m[1].trim().split(/\s+/)[0].toLowerCase();
    const qualified = m[2];
    const schema = qualified.includes('.') ? unquoteIdentifier(qualified.split('.')[0]) : undefined;
    if (
      schema &&
      ['auth', 'storage', 'hdb_catalog', 'information_schema', 'pg_catalog', 'extensions', 'realtime', 'supabase_functions'].includes(schema.toLowerCase())
    )
      continue;
    const name = unquoteIdentifier(qualified);
    const after = m.index + m[0].length;
    if (verb === 'drop') {
      if (options.drops !== false) into.delete(name.toLowerCase());
      continue;
    }
    if (verb === 'create') {
      const open = clean.indexOf('(', after);
      if (open === -1 || clean.slice(after, open).trim() !== '') continue;
      const close = matchBracket(clean, open);
      if (close === -1) continue;
      const columns: DetectedColumn[] = [];
      for (const part of splitTopLevel(clean.slice(open + 1, close - 1))) {
        const item = part.text.trim();
        if (CONSTRAINT_START.test(item) || /^like\b/i.test(item)) continue;
        const col =
          /^((?:[\w$]+|"[^"]+"|`[^`]+`|\[[^\]]+\]))\s+((?:character varying|double precision|timestamp with(?:out)? time zone|time with(?:out)? time zone|bit varying|[A-Za-z][\w]*)(?:\s*\([^)]*\))?(?:\[\])?)/i.exec(
            item,
          );
        if (col) columns.push({ name: unquoteIdentifier(col[1]), type: col[2].trim().toLowerCase() });
        else if (/^[\w$"`]+$/.test(item)) columns.push({ name: unquoteIdentifier(item) });
      }
      into.set(name.toLowerCase(), { name, columns, evidence: { file, line: lineAt(text, m.index) }, source: 'sql' });
      continue;
    }
    // ALTER TABLE: ADD [COLUMN] [IF NOT EXISTS] name type, …
    const table = into.get(name.toLowerCase());
    if (!table) continue;
    const end = clean.indexOf(';', after);
    const body = clean.slice(after, end === -1 ? clean.length : end);
    for (const part of splitTopLevel(body)) {
      const add = /^\s*add\s+(?:column\s+)?(?:if\s+not\s+exists\s+)?((?:[\w$]+|"[^"]+"|`[^`]+`))\s+([A-Za-z][\w]*(?:\([^)]*\))?)/i.exec(part.text);
      if (add && !CONSTRAINT_START.test(add[1])) {
        const colName = unquoteIdentifier(add[1]);
        if (!table.columns.some((c) => c.name === colName)) table.columns.push({ name: colName, type: add[2].toLowerCase() });
      }
      const drop = /^\s*drop\s+(?:column\s+)?(?:if\s+exists\s+)?((?:[\w$]+|"[^"]+"|`[^`]+`))/i.exec(part.text);
      if (drop && !/^(constraint|index|primary)$/i.test(drop[1])) table.columns = table.columns.filter((c) => c.name !== unquoteIdentifier(drop[1]));
    }
  }
  return into;
}

const PRISMA_SCALARS = new Set(['String', 'Int', 'BigInt', 'Float', 'Decimal', 'Boolean', 'DateTime', 'Json', 'Bytes']);

/** Models of a `schema.prisma` (table and column names after `@@map` / `@map`); relation fields are skipped. */
export function tablesFromPrisma(text: string, file: string): DetectedTable[] {
  const clean = blankComments(text, 'js');
  const enums = new Set([...clean.matchAll(/^\s*enum\s+(\w+)\s*\{/gm)].map((m) => m[1]));
  const tables: DetectedTable[] = [];
  for (const m of clean.matchAll(/^\s*model\s+(\w+)\s*\{/gm)) {
    const open = m.index + m[0].length - 1;
    const close = matchBracket(clean, open);
    if (close === -1) continue;
    const body = clean.slice(open + 1, close - 1);
    let name = m[1];
    const columns: DetectedColumn[] = [];
    for (const line of body.split('\n')) {
      const map = /^\s*@@map\(\s*(?:name\s*:\s*)?"([^"]+)"/.exec(line);
      if (map) name = map[1];
      const field = /^\s*(\w+)\s+(\w+(?:\([^)]*\))?)(\[\])?(\?)?(.*)$/.exec(line);
      if (!field) continue;
      const base = field[2].replace(/\(.*$/, '');
      if (!PRISMA_SCALARS.has(base) && !enums.has(base) && base !== 'Unsupported') continue;
      if (field[5].includes('@relation')) continue;
      const colMap = /@map\(\s*(?:name\s*:\s*)?"([^"]+)"/.exec(field[5]);
      columns.push({ name: colMap ? colMap[1] : field[1], type: base });
    }
    tables.push({ name, columns, evidence: { file, line: lineAt(text, m.index + m[0].indexOf('model')) }, source: 'prisma' });
  }
  return tables;
}

/** `pgTable('users', { id: serial('id'), … })` (and `mysqlTable`, `sqliteTable`). */
export function tablesFromDrizzle(text: string, file: string): DetectedTable[] {
  const clean = blankComments(text, 'js');
  const tables: DetectedTable[] = [];
  for (const m of clean.matchAll(/\b(?:pg|mysql|sqlite)Table\s*\(\s*(['"`])([^'"`]+)\1\s*,\s*\{/g)) {
    const open = m.index + m[0].length - 1;
    const close = matchBracket(clean, open);
    if (close === -1) continue;
    const columns: DetectedColumn[] = [];
    for (const part of splitTopLevel(clean.slice(open + 1, close - 1))) {
      const col = /^\s*(?:(\w+)|(['"])([^'"]+)\2)\s*:\s*(\w+)\s*\(\s*(?:(['"`])([^'"`]+)\5)?/.exec(part.text);
      if (col) columns.push({ name: col[6] ?? col[1] ?? col[3], type: col[4] });
    }
    tables.push({ name: m[2], columns, evidence: { file, line: lineAt(text, m.index) }, source: 'drizzle' });
  }
  return tables;
}

const TYPEORM_COLUMN = /@(Column|PrimaryGeneratedColumn|PrimaryColumn|CreateDateColumn|UpdateDateColumn|DeleteDateColumn|VersionColumn|JoinColumn)\s*\(/g;

/** TypeORM entities: `@Entity('users') class User { @Column() email: string }`. */
export function tablesFromTypeorm(text: string, file: string): DetectedTable[] {
  const clean = blankComments(text, 'js');
  const tables: DetectedTable[] = [];
  for (const m of clean.matchAll(/@Entity\s*\(/g)) {
    const argsEnd = matchBracket(clean, m.index + m[0].length - 1);
    if (argsEnd === -1) continue;
    const args = clean.slice(m.index + m[0].length, argsEnd - 1);
    const cls = /class\s+(\w+)[^{]*\{/.exec(clean.slice(argsEnd));
    if (!cls) continue;
    const open = argsEnd + cls.index + cls[0].length - 1;
    const close = matchBracket(clean, open);
    if (close === -1) continue;
    const explicit = /^\s*(['"`])([^'"`]+)\1/.exec(args) ?? /name\s*:\s*(['"`])([^'"`]+)\1/.exec(args);
    const name = explicit ? explicit[2] : cls[1].replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    const body = clean.slice(open + 1, close - 1);
    const columns: DetectedColumn[] = [];
    for (const c of body.matchAll(TYPEORM_COLUMN)) {
      const end = matchBracket(body, c.index + c[0].length - 1);
      if (end === -1) continue;
      const opts = body.slice(c.index + c[0].length, end - 1);
      // The property follows this decorator and any others.
      const prop = /^(?:\s*@\w+\s*(?:\((?:[^()]|\([^()]*\))*\))?)*\s*(\w+)[!?]?\s*:\s*([\w<>[\]]+)/.exec(body.slice(end));
      if (!prop) continue;
      const named = /name\s*:\s*(['"`])([^'"`]+)\1/.exec(opts);
      const typed = /^\s*(['"`])([^'"`]+)\1/.exec(opts) ?? /type\s*:\s*(['"`])([^'"`]+)\1/.exec(opts);
      if (c[1] === 'JoinColumn') {
        if (named) columns.push({ name: named[2] });
        continue;
      }
      const colName = named ? named[2] : prop[1];
      if (!columns.some((x) => x.name === colName)) columns.push({ name: colName, type: typed ? typed[2] : prop[2] });
    }
    tables.push({ name, columns, evidence: { file, line: lineAt(text, m.index) }, source: 'typeorm' });
  }
  return tables;
}

/** Knex migrations: `knex.schema.createTable('users', (t) => { t.increments('id'); t.string('email') })`. */
export function tablesFromKnex(text: string, file: string): DetectedTable[] {
  const clean = blankComments(text, 'js');
  const tables: DetectedTable[] = [];
  for (const m of clean.matchAll(/\.createTable\s*\(\s*(['"`])([^'"`]+)\1\s*,/g)) {
    const open = clean.lastIndexOf('(', m.index + m[0].length);
    const close = matchBracket(clean, open);
    if (close === -1) continue;
    const body = clean.slice(m.index + m[0].length, close - 1);
    const columns: DetectedColumn[] = [];
    for (const c of body.matchAll(
      /\b\w+\.(increments|bigIncrements|integer|bigInteger|string|text|boolean|date|datetime|timestamp|timestamps|uuid|json|jsonb|decimal|float|enu|enum)\s*\(\s*(?:(['"`])([^'"`]+)\2)?/g,
    )) {
      if (c[1] === 'timestamps') columns.push({ name: 'created_at', type: 'timestamp' }, { name: 'updated_at', type: 'timestamp' });
      else if (c[3]) columns.push({ name: c[3], type: c[1] });
    }
    tables.push({ name: m[2], columns, evidence: { file, line: lineAt(text, m.index) }, source: 'knex' });
  }
  return tables;
}

/** Hasura metadata `tables/*.yaml`: `table: { name: users, schema: public }` (names only; columns come from migrations). */
export function tablesFromHasuraMetadata(text: string, file: string): DetectedTable[] {
  const tables: DetectedTable[] = [];
  const inline = /table\s*:\s*\{\s*(?:name\s*:\s*([\w]+)\s*,\s*schema\s*:\s*\w+|schema\s*:\s*\w+\s*,\s*name\s*:\s*([\w]+))\s*\}/g;
  for (const m of text.matchAll(inline)) tables.push({ name: m[1] ?? m[2], columns: [], evidence: { file, line: lineAt(text, m.index) }, source: 'hasura' });
  for (const m of text.matchAll(/^(\s*-?\s*)table\s*:\s*\n\s+(?:schema\s*:\s*\w+\s*\n\s+)?name\s*:\s*(\w+)/gm)) {
    tables.push({ name: m[2], columns: [], evidence: { file, line: lineAt(text, m.index + m[1].length) }, source: 'hasura' });
  }
  return tables;
}

const REDIS_KINDS: Record<string, DetectedRedisKey['kind']> = {
  hset: 'hash',
  hmset: 'hash',
  hget: 'hash',
  hgetall: 'hash',
  hincrby: 'hash',
  hsetnx: 'hash',
  sadd: 'set',
  sismember: 'set',
  smembers: 'set',
  srem: 'set',
  scard: 'set',
  zadd: 'sorted set',
  zrange: 'sorted set',
  zincrby: 'sorted set',
  zscore: 'sorted set',
  lpush: 'list',
  rpush: 'list',
  lrange: 'list',
  set: 'string',
  get: 'string',
  incr: 'string',
  incrby: 'string',
  setex: 'string',
};

/** Key prefixes written or read through a Redis client: `redis.hset(\`users:${id}\`, …)`. */
export function redisKeysFromSource(text: string, file: string): DetectedRedisKey[] {
  const keys: DetectedRedisKey[] = [];
  const re =
    /\.(hset|hmset|hget|hgetall|hincrby|hsetnx|sadd|sismember|smembers|srem|scard|zadd|zrange|zincrby|zscore|lpush|rpush|lrange|set|get|incr|incrby|setex)\s*\(\s*[`'"]([A-Za-z_][\w-]*):/g;
  for (const m of text.matchAll(re)) keys.push({ prefix: m[2], kind: REDIS_KINDS[m[1]], evidence: { file, line: lineAt(text, m.index) } });
  return keys;
}

const SOURCE = /\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/;
const SKIP_SOURCE = /(^|\/)(test|tests|__tests__|spec|e2e|fixtures?)\/|\.(test|spec|d)\.[cm]?[tj]sx?$/;

/** Every table the project declares (later declarations of the same name add columns), and Redis key prefixes. */
export function collectProjectSchema(files: ProjectFileSource): { tables: DetectedTable[]; redisKeys: DetectedRedisKey[] } {
  const byName = new Map<string, DetectedTable>();
  const merge = (t: DetectedTable) => {
    const key = t.name.toLowerCase();
    const existing = byName.get(key);
    if (!existing) byName.set(key, t);
    else for (const c of t.columns) if (!existing.columns.some((x) => x.name === c.name)) existing.columns.push(c);
  };
  const ours = (p: string) => p.startsWith('skene/') || p.startsWith('emails/');
  // SQL first (migrations in path order are chronological by convention), then the ORMs.
  for (const path of files.paths) {
    if (ours(path)) continue;
    // Down migrations undo what their up migration did: not the schema.
    if (path.endsWith('.sql') && !/(^|\/|[._-])down\.sql$/.test(path)) {
      const text = files.read(path);
      if (text) tablesFromSql(text, path, byName);
    }
  }
  for (const path of files.paths) {
    if (ours(path)) continue;
    if (path.endsWith('.prisma')) {
      const text = files.read(path);
      if (text) tablesFromPrisma(text, path).forEach(merge);
    }
  }
  const redisKeys: DetectedRedisKey[] = [];
  let scanned = 0;
  for (const path of files.paths) {
    if (ours(path) || !SOURCE.test(path) || SKIP_SOURCE.test(path) || scanned > 3000) continue;
    const text = files.read(path);
    if (!text || text.length > 500_000) continue;
    scanned++;
    if (/\b(?:pg|mysql|sqlite)Table\s*\(/.test(text)) tablesFromDrizzle(text, path).forEach(merge);
    if (text.includes('@Entity')) tablesFromTypeorm(text, path).forEach(merge);
    if (/migration/i.test(path) && /create\s+table/i.test(text)) {
      const found = tablesFromSql(text, path, new Map(), { drops: false });
      found.forEach(merge);
    }
    if (text.includes('.createTable(')) tablesFromKnex(text, path).forEach(merge);
    if (/redis/i.test(text)) redisKeys.push(...redisKeysFromSource(text, path));
  }
  for (const path of files.paths) {
    if (/(^|\/)metadata\/(databases\/[^/]+\/tables\/[^/]+|tables)\.ya?ml$/.test(path)) {
      const text = files.read(path);
      if (text) for (const t of tablesFromHasuraMetadata(text, path)) if (!byName.has(t.name.toLowerCase())) merge(t);
    }
  }
  const seen = new Set<string>();
  const uniqueKeys = redisKeys.filter((k) => {
    const id = `${k.prefix}|${k.kind}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return { tables: [...byName.values()], redisKeys: uniqueKeys };
}
