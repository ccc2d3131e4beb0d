/** Shared by the plan, sources and report tests: configs without a config file, throwaway databases. */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { normalizeConfig } from '@skene/sdk';
import type { LoadedConfig } from '../../src/plan/load-config.js';

/** A config as `loadConfig` would return it, beside an emails/ folder with simple HTML templates. */
export function makeConfig(exported: unknown, templates: Record<string, string> = {}): LoadedConfig & { cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'skene-plan-test-'));
  mkdirSync(join(dir, 'emails'));
  const all = { welcome: '<html><head><title>Welcome, {{name}}</title></head><body><p>Hi {{name}}!</p></body></html>', ...templates };
  for (const [name, html] of Object.entries(all)) writeFileSync(join(dir, 'emails', `${name}.html`), html);
  const config = normalizeConfig(exported);
  return { ...config, file: join(dir, 'skene.config.ts'), dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const FROM = { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' };

/** A PostgreSQL database for one test file, dropped when the test ends. */
export async function tempPostgresDatabase(t: TestContext, serverUrl: string, name: string): Promise<string> {
  const db = `${name}_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  t.after(async () => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await c.end();
  });
  const url = new URL(serverUrl);
  url.pathname = `/${db}`;
  return url.toString();
}

/** A MariaDB/MySQL database for one test file, dropped when the test ends. */
export async function tempMysqlDatabase(t: TestContext, serverUrl: string, name: string): Promise<string> {
  const db = `${name}_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  const admin = await mysql.createConnection(serverUrl);
  await admin.query(`CREATE DATABASE \`${db}\``);
  await admin.end();
  t.after(async () => {
    const c = await mysql.createConnection(serverUrl);
    await c.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await c.end();
  });
  const url = new URL(serverUrl);
  url.pathname = `/${db}`;
  return url.toString();
}

export function writeSeed(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-seed-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/**
 * A project folder on disk: a skene.config.ts with one loop welcoming every new user, its HTML
 * template, and any extra files (seeds). Returns the folder.
 */
export function writeWelcomeProject(prefix: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'emails'));
  const loop = {
    id: 'welcome',
    type: 'activation',
    opinion: 'Welcome every user',
    steps: [
      {
        trigger: { type: 'database', table: 'users', event: 'insert' },
        action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
      },
    ],
  };
  writeFileSync(join(dir, 'skene.config.ts'), `export default ${JSON.stringify([loop])};\n`);
  writeFileSync(join(dir, 'emails', 'welcome.html'), '<html><head><title>Hi {{name}}</title></head><body>Hi {{name}}</body></html>');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
