/** Table-driven detection rules over in-memory projects: one small project per rule. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectStackInFiles, memoryProjectFolder, tablesFromKnex, tablesFromSql } from '@skene/core';

const pkg = (deps: Record<string, string>, dev: Record<string, string> = {}) =>
  JSON.stringify({ name: 'app', dependencies: deps, devDependencies: dev }, null, 2);
const detect = (files: Record<string, string>) => detectStackInFiles(memoryProjectFolder(files));

describe('detection rules', () => {
  const cases: {
    title: string;
    files: Record<string, string>;
    stack: string;
    pattern?: string;
    dialect?: string | null;
    evidence?: [string, string, number][];
  }[] = [
    {
      title: 'Remix + PostgreSQL (pg)',
      files: { 'package.json': pkg({ '@remix-run/node': '2', '@remix-run/react': '2', pg: '8' }) },
      stack: 'Remix + PostgreSQL',
      pattern: 'retention',
      dialect: 'postgres',
      evidence: [['Remix', 'package.json', 4]],
    },
    {
      title: 'SvelteKit + Supabase Auth',
      files: { 'package.json': pkg({ '@supabase/supabase-js': '2', '@supabase/auth-helpers-sveltekit': '0.13' }, { '@sveltejs/kit': '2' }) },
      stack: 'SvelteKit + Supabase',
      pattern: 'activation',
      dialect: 'postgres',
      evidence: [['SvelteKit', 'package.json', 8]],
    },
    {
      title: 'Nuxt + Neon (from the env example host)',
      files: {
        'package.json': pkg({ nuxt: '3' }),
        '.env.example': '# Neon\nDATABASE_URL=postgresql://user:pass@ep-cool-name-123.eu-central-1.aws.neon.tech/neondb?sslmode=require\n',
      },
      stack: 'Nuxt + Neon',
      dialect: 'postgres',
      evidence: [['Neon', '.env.example', 2]],
    },
    {
      title: 'Fastify + Knex (knexfile client pg)',
      files: {
        'package.json': pkg({ fastify: '4', knex: '3', pg: '8' }),
        'knexfile.js': "module.exports = {\n  client: 'pg',\n  connection: process.env.DATABASE_URL,\n};\n",
      },
      stack: 'Fastify + Knex + PostgreSQL',
      dialect: 'postgres',
      evidence: [['PostgreSQL', 'knexfile.js', 2]],
    },
    {
      title: 'Prisma with provider mysql → MySQL dialect',
      files: {
        'package.json': pkg({ express: '4', '@prisma/client': '5' }),
        'prisma/schema.prisma': 'datasource db {\n  provider = "mysql"\n  url = env("DATABASE_URL")\n}\n',
      },
      stack: 'Express + Prisma + MySQL',
      dialect: 'mysql',
      evidence: [['MySQL', 'prisma/schema.prisma', 2]],
    },
    {
      title: 'TiDB from docker-compose',
      files: { 'docker-compose.yml': 'services:\n  tidb:\n    image: pingcap/tidb:v8.1.0\n' },
      stack: 'TiDB',
      dialect: 'mysql',
      evidence: [['TiDB', 'docker-compose.yml', 3]],
    },
    {
      title: 'Auth.js from env names only',
      files: { 'package.json': pkg({ next: '14', '@vercel/postgres': '0.9' }), '.env.example': 'AUTH_SECRET=\nPOSTGRES_URL=\n' },
      stack: 'Next.js + PostgreSQL + Auth.js',
      pattern: 'activation',
      evidence: [['Auth.js', '.env.example', 1]],
    },
    {
      title: 'Redis as a cache does not replace the SQL database',
      files: { 'package.json': pkg({ next: '14', ioredis: '5', 'drizzle-orm': '0.33', postgres: '3' }) },
      stack: 'Next.js + Drizzle + PostgreSQL',
      dialect: 'postgres',
    },
    {
      title: 'Stripe and Resend: billing names the stack, email does not',
      files: { 'package.json': pkg({ hono: '4', stripe: '16', resend: '4', mysql2: '3' }) },
      stack: 'Hono + MySQL + Stripe',
      dialect: 'mysql',
    },
    {
      title: 'a yarn workspace (workspaces.packages)',
      files: {
        'package.json': JSON.stringify({ private: true, workspaces: { packages: ['apps/*'] } }),
        'apps/api/package.json': pkg({ '@nestjs/core': '10', pg: '8' }),
        'yarn.lock': '"@nestjs/core@^10":\n  version "10.4.1"\n',
      },
      stack: 'NestJS + PostgreSQL',
      evidence: [
        ['NestJS', 'apps/api/package.json', 4],
        ['NestJS', 'yarn.lock', 1],
      ],
    },
    {
      title: 'MongoDB is detected but has no dialect',
      files: { 'package.json': pkg({ express: '4', mongoose: '8' }) },
      stack: 'Express + MongoDB',
      dialect: null,
    },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const d = detect(c.files);
      assert.equal(d.stack, c.stack);
      if (c.pattern) assert.equal(d.pattern, c.pattern);
      if (c.dialect !== undefined) assert.equal(d.dialect, c.dialect);
      for (const [name, file, line] of c.evidence ?? []) {
        const f = d.findings.find((x) => x.name === name);
        assert.ok(f, `${name} not found in ${d.findings.map((x) => x.name).join(', ')}`);
        assert.ok(
          f.evidence.some((e) => e.file === file && e.line === line),
          `${name}: ${JSON.stringify(f.evidence)}`,
        );
      }
    });
  }
});

describe('schema parsing', () => {
  it('SQL: CREATE TABLE with constraints, quoted names, ALTER TABLE ADD/DROP COLUMN, comments ignored', () => {
    const sql = [
      '-- CREATE TABLE ignored (x int);',
      'CREATE TABLE IF NOT EXISTS "public"."accounts" (',
      '  "id" bigserial PRIMARY KEY,',
      '  email citext NOT NULL,',
      "  plan varchar(20) DEFAULT 'free',",
      '  created_at timestamp with time zone DEFAULT now(),',
      '  CONSTRAINT accounts_email UNIQUE (email),',
      '  FOREIGN KEY (id) REFERENCES x(id)',
      ');',
      '/* ALTER TABLE accounts ADD COLUMN ghost int; */',
      'ALTER TABLE accounts ADD COLUMN IF NOT EXISTS last_seen_at timestamptz, DROP COLUMN plan;',
      'CREATE TABLE auth.sessions (id uuid);',
    ].join('\n');
    const tables = [...tablesFromSql(sql, 'm.sql').values()];
    assert.deepEqual(
      tables.map((t) => [t.name, t.evidence.line, t.columns.map((c) => `${c.name}:${c.type}`)]),
      [['accounts', 2, ['id:bigserial', 'email:citext', 'created_at:timestamp with time zone', 'last_seen_at:timestamptz']]],
    );
  });

  it('Knex migrations: createTable with column builders and timestamps()', () => {
    const js =
      "exports.up = (knex) => knex.schema.createTable('members', (t) => {\n  t.increments('id');\n  t.string('email').notNullable();\n  t.timestamps();\n});\n";
    assert.deepEqual(
      tablesFromKnex(js, 'k.js').map((t) => [t.name, t.columns.map((c) => c.name)]),
      [['members', ['id', 'email', 'created_at', 'updated_at']]],
    );
  });
});

describe('prompt for a database Skene does not read', () => {
  it('says so instead of calling it PostgreSQL', async () => {
    const { buildPrompt } = await import('@skene/core');
    const p = buildPrompt(detect({ 'package.json': pkg({ express: '4', mongoose: '8' }) }));
    assert.match(p, /@dialect: PostgreSQL \(embedded\) rules:\n- Skene reads PostgreSQL, MySQL \(TiDB, MariaDB\) and Redis; MongoDB is none of these/);
    assert.doesNotMatch(p, /MongoDB is PostgreSQL/);
  });
});
