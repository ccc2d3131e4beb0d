// The examples' seed data gives the results their READMEs promise, checked with plain SQL at the
// pinned instant (NOW() replaced by it). This tests the data, not the plan engine: the plan's
// own golden files are in test/plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { importPglite } from '../../packages/core/src/sources/pglite-module.js';
import { serviceOrSkip } from '../helpers/services.js';

const examples = fileURLToPath(new URL('../../examples', import.meta.url));
const AT = '2026-03-02T09:00:00Z';

function queriesOf(example: string, config = 'skene.config.ts'): string[] {
  const text = readFileSync(join(examples, example, config), 'utf8');
  return [...text.matchAll(/query:\s*`([^`]*)`/g)].map((m) => m[1]!);
}

function seedFiles(example: string, dialect: string): string[] {
  const dir = join(examples, example, 'seed', dialect);
  return readdirSync(dir).filter((f) => f.endsWith('.sql')).sort().map((f) => readFileSync(join(dir, f), 'utf8'));
}

async function pglite(example: string): Promise<PGlite> {
  const { PGlite } = await importPglite();
  const db = new PGlite();
  for (const sql of seedFiles(example, 'postgres')) await db.exec(sql);
  return db;
}

const pinnedPg = (query: string) => query.replace(/NOW\(\)/gi, `'${AT}'::timestamptz`);

async function activation(example: string): Promise<{ sent: string[]; waiting: string[] }> {
  const db = await pglite(example);
  try {
    const [condition] = queriesOf(example);
    const users = (await db.query<{ id: string | number; name: string }>('SELECT id, name FROM users ORDER BY id')).rows;
    const sent: string[] = [];
    const waiting: string[] = [];
    for (const user of users) {
      const { rows } = await db.query(pinnedPg(condition!), [user.id]);
      (rows.length > 0 ? sent : waiting).push(user.name);
    }
    return { sent, waiting };
  } finally {
    await db.close();
  }
}

async function schedule(example: string, index = 0): Promise<string[]> {
  const db = await pglite(example);
  try {
    const { rows } = await db.query<{ name: string; email: string }>(pinnedPg(queriesOf(example)[index]!));
    for (const row of rows) assert.match(row.email, /@example\.com$/, 'each recipient row has an email');
    return rows.map((r) => r.name).sort();
  } finally {
    await db.close();
  }
}

test('upstash: 3 welcome emails, 3 waiting', async () => {
  assert.deepEqual(await activation('upstash'), {
    sent: ['Ada Lovelace', 'Alan Turing', "Zoë O'Brien"],
    waiting: ['Grace Hopper', 'Katherine Johnson', 'Linus Ekström'],
  });
});

test('nextjs-upstash-clerk: 3 welcome emails, 2 waiting', async () => {
  assert.deepEqual(await activation('nextjs-upstash-clerk'), {
    sent: ['Maya Chen', 'Léa Müller', 'Priya Nair'],
    waiting: ['Omar Haddad', 'Sam Okafor'],
  });
});

test('hasura: 3 re-engagement emails', async () => {
  assert.deepEqual(await schedule('hasura'), ['Diego Álvarez', 'Noor Rahman', 'Oliver Bennett']);
});

test('nestjs-postgres-stripe: 3 re-engagement and 2 session-drop emails, nobody gets both', async () => {
  const idle = await schedule('nestjs-postgres-stripe', 0);
  const drop = await schedule('nestjs-postgres-stripe', 1);
  assert.deepEqual(idle, ['Amara Obi', 'Elena Petrova', 'Sofia Costa']);
  assert.deepEqual(drop, ['Fatima Zahra', 'Priya Raman']);
  assert.deepEqual(idle.filter((n) => drop.includes(n)), []);
});

test('the Redis seeds hold the same users and actions as the SQL seeds', async () => {
  for (const example of ['upstash', 'nextjs-upstash-clerk']) {
    const redis = readFileSync(join(examples, example, 'seed', 'redis', '001_users.redis'), 'utf8');
    const hashes = [...redis.matchAll(/^HSET users:(\S+) .*? name "([^"]+)"/gm)].map((m) => [m[1], m[2]]);
    const withProject = [...redis.matchAll(/^SADD user_actions:(\S+) (.*)$/gm)].filter((m) => m[2]!.split(' ').includes('first_project_created')).map((m) => m[1]);
    const db = await pglite(example);
    try {
      const users = (await db.query<{ id: string | number; name: string }>('SELECT id, name FROM users ORDER BY id')).rows;
      assert.deepEqual(hashes, users.map((u) => [String(u.id), u.name]), example);
      const sql = (await db.query<{ user_id: string | number }>("SELECT user_id FROM user_actions WHERE action_type = 'first_project_created' ORDER BY user_id")).rows;
      assert.deepEqual(withProject, sql.map((r) => String(r.user_id)), example);
    } finally {
      await db.close();
    }
  }
});

test('tidb: the MySQL seed and query give 3 re-engagement emails on MariaDB, in any session time zone', async (t) => {
  const url = await serviceOrSkip(t, 'mysql');
  if (!url) return;
  const mysql = (await import('mysql2/promise')).default;
  const admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  const database = `skene_example_tidb_${process.pid}`;
  await admin.query(`CREATE DATABASE ${database} CHARACTER SET utf8mb4`);
  try {
    const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database, multipleStatements: true, charset: 'utf8mb4' });
    try {
      for (const sql of seedFiles('tidb', 'mysql')) await conn.query(sql);
      const [query] = queriesOf('tidb');
      for (const zone of ['+00:00', '+05:30', '-08:00']) {
        await conn.query(`SET time_zone = '${zone}'`);
        await conn.query(`SET timestamp = ${Date.parse(AT) / 1000}`);
        const [rows] = await conn.query(query!);
        const names = (rows as { name: string }[]).map((r) => r.name).sort();
        assert.deepEqual(names, ['Ingrid Larsen', 'Rahul Mehta', 'Tomás Novák'], `time_zone ${zone}`);
      }
    } finally {
      await conn.end();
    }
  } finally {
    await admin.query(`DROP DATABASE ${database}`);
    await admin.end();
  }
});
