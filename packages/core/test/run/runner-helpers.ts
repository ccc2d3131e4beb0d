/** Shared by the runner's tests: a PostgreSQL database with capture installed, a Resend double and a sender on it. */
import type { TestContext } from 'node:test';
import pg from 'pg';
import { startResendDouble, type ResendDouble } from '../../../../test/helpers/resend-double.js';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
import { migrate, createSender, runOnce, type RunLogEntry, type RunOnceOptions, type Sender } from '../../src/run/index.js';
import { FROM as PLAN_FROM, makeConfig, tempPostgresDatabase } from '../plan/helpers.js';

/** One-click unsubscribe's settings: without them the runner refuses the digest's (retention) emails. */
export const CONSENT_ENV = { SKENE_UNSUBSCRIBE_SECRET: 'runner-test-secret-0123456789abcdef', SKENE_PUBLIC_URL: 'https://skene.example.com' };
export const FROM = { ...PLAN_FROM, ...CONSENT_ENV };

export const TEMPLATES = {
  welcome: '<html><head><title>Welcome, {{name}}</title></head><body><p>Hi {{name}}!</p></body></html>',
};

/** Users and their projects; a user "activates" by creating a project. */
export const TABLES = `
  CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text NOT NULL);
  CREATE TABLE projects (id serial PRIMARY KEY, user_id integer NOT NULL, name text NOT NULL);`;

/** A loop welcoming each new user once they have a project (within 5 minutes), and one welcoming every new user. */
export function activationConfig(t: TestContext, extra: { recovery?: unknown } = {}) {
  const c = makeConfig(
    {
      loops: [
        {
          id: 'activated',
          type: 'activation',
          opinion: 'Congratulate users who created a project',
          ...(extra.recovery ? { recovery: extra.recovery } : {}),
          steps: [
            {
              trigger: { type: 'database', table: 'users', event: 'insert' },
              condition: { type: 'query', query: 'SELECT 1 FROM projects WHERE user_id = $1', timeout: '5m' },
              action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
            },
          ],
        },
      ],
    },
    TEMPLATES,
  );
  t.after(() => c.cleanup());
  return c;
}

/** An hourly digest to every row of `users` (a schedule step); `extra` adds loop fields (recovery, maxEmailsPerHour). */
export function digestConfig(t: TestContext, extra: Record<string, unknown> = {}) {
  const c = makeConfig(
    {
      loops: [
        {
          id: 'digest',
          type: 'retention',
          opinion: 'An hourly digest',
          ...extra,
          steps: [
            {
              trigger: { type: 'schedule', cron: '0 * * * *' },
              condition: { type: 'query', query: 'SELECT id, email, name FROM users' },
              action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } },
            },
          ],
        },
      ],
    },
    TEMPLATES,
  );
  t.after(() => c.cleanup());
  return c;
}

export interface Harness {
  url: string;
  client: pg.Client;
  double: ResendDouble;
  sender: Sender;
  logs: RunLogEntry[];
  run(options?: Partial<RunOnceOptions>): ReturnType<typeof runOnce>;
}

/** A throwaway database with `tables`, capture installed for `config`, and a Resend double. */
export async function harness(t: TestContext, config: RunOnceOptions['config'], tables = TABLES): Promise<Harness | undefined> {
  const server = await serviceOrSkip(t, 'postgres');
  if (!server) return undefined;
  const url = await tempPostgresDatabase(t, server, 'skene_runner');
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {}); // the database is dropped WITH (FORCE) at the end
  await client.connect();
  t.after(() => client.end().catch(() => {}));
  await client.query(tables);
  await migrate({ config, databaseUrl: url });
  const double = await startResendDouble();
  t.after(() => double.close());
  const sender = newSender(double);
  const logs: RunLogEntry[] = [];
  return {
    url,
    client,
    double,
    sender,
    logs,
    run: (options = {}) => runOnce({ config, databaseUrl: url, sender, env: FROM, log: (e) => logs.push(e), maxWaitMs: 20_000, ...options }),
  };
}

export function newSender(double: ResendDouble): Sender {
  return createSender({ apiKey: double.apiKey, baseUrl: double.url, rateLimitPerSecond: 1000, timeoutMs: 5000 });
}

/** What the double received, as the plan's fields, keyed by idempotency key (the email id). */
export function deliveredById(double: ResendDouble) {
  return Object.fromEntries(
    double.delivered.map((d) => {
      const e = d.email;
      return [d.idempotencyKey, { to: e.to, from: e.from, subject: e.subject, html: e.html, text: e.text }];
    }),
  );
}

export async function ledger(client: pg.Client) {
  return (await client.query('SELECT email_id, state, attempts, last_error FROM skene.sends ORDER BY email_id')).rows as {
    email_id: string;
    state: string;
    attempts: number;
    last_error: string | null;
  }[];
}
