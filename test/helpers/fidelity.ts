/**
 * For the fidelity tests: what `skene plan --format json --show-recipients` lists and what
 * `skene run --once` delivered to the Resend double, both as `email id → the fields Resend gets`,
 * and one assertion that the two are the same emails, byte for byte.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import type { ResendDouble } from './resend-double.js';

/** The fields of an email that reach the recipient: compared byte for byte. */
export const FIELDS = ['to', 'from', 'subject', 'html', 'text'] as const;
/** The fields, and the extra headers (List-Unsubscribe): compared too, absent on both sides or equal. */
export type EmailFields = Record<(typeof FIELDS)[number], unknown> & { headers?: unknown };

// The built CLI without blocking this process; its buffer holds a 1,000-user plan in JSON.
export { skeneAsync, type CliResult } from './cli.js';

/** Runs an example's seed files in name order, as `skene plan --seed` and the READMEs' psql commands do. */
export async function loadSeeds(client: pg.Client, dir: string): Promise<string[]> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  for (const file of files) await client.query(readFileSync(join(dir, file), 'utf8'));
  return files;
}

interface PlanJson {
  recipients: string;
  totals: { emails: number; waiting: number; errors: number };
  loops: { steps: { emails: ({ id: string; headers?: unknown } & EmailFields)[] }[] }[];
}

/** The plan's emails by id, from its JSON report (which must show the recipients, unmasked). */
export function plannedEmails(stdout: string): { report: PlanJson; emails: Map<string, EmailFields> } {
  const report = JSON.parse(stdout) as PlanJson;
  assert.equal(report.recipients, 'shown', 'the plan must show recipients: masked ones cannot be compared');
  assert.equal(report.totals.errors, 0);
  const emails = new Map<string, EmailFields>();
  for (const email of report.loops.flatMap((l) => l.steps.flatMap((s) => s.emails))) {
    assert.ok(!emails.has(email.id), `the plan lists ${email.id} twice`);
    emails.set(email.id, { ...(Object.fromEntries(FIELDS.map((f) => [f, email[f]])) as EmailFields), headers: email.headers });
  }
  return { report, emails };
}

/**
 * What the double delivered, by the plan's email id. A batch request's idempotency key is a hash of
 * its chunk's ids, not one email's, so each delivery is matched to its id through the ledger
 * (`skene.sends.provider_id` holds the id the double answered for it). Every delivery must match
 * exactly one sent ledger row, and a single send must carry its email id as the idempotency key.
 */
export async function deliveredEmails(double: ResendDouble, client: pg.Client): Promise<Map<string, EmailFields>> {
  const { rows } = await client.query<{ email_id: string; provider_id: string | null; state: string }>(
    'SELECT email_id, provider_id, state FROM skene.sends ORDER BY email_id',
  );
  assert.deepEqual(
    rows.filter((r) => r.state !== 'sent').map((r) => `${r.email_id}: ${r.state}`),
    [],
    'every send in the ledger is completed',
  );
  const idByProvider = new Map(rows.map((r) => [r.provider_id, r.email_id]));
  const emails = new Map<string, EmailFields>();
  for (const d of double.delivered) {
    const id = idByProvider.get(d.id);
    assert.ok(id, `the double delivered an email the ledger does not record (${String(d.email.subject)})`);
    assert.ok(!emails.has(id), `${id} was delivered twice`);
    if (d.path === '/emails') assert.equal(d.idempotencyKey, id, 'a single send is keyed by its email id');
    emails.set(id, { ...(Object.fromEntries(FIELDS.map((f) => [f, d.email[f]])) as EmailFields), headers: d.email.headers });
  }
  assert.equal(emails.size, rows.length, 'every sent ledger row was delivered');
  return emails;
}

/** The same ids, and for each every field identical: strings compared exactly, so byte for byte. */
export function assertSameEmails(planned: Map<string, EmailFields>, delivered: Map<string, EmailFields>): void {
  assert.ok(planned.size > 0, 'the plan lists emails');
  const ids = (m: Map<string, EmailFields>) => [...m.keys()].sort();
  assert.deepEqual(ids(delivered), ids(planned), 'the run sent exactly the emails the plan lists');
  for (const [id, plan] of planned) {
    const sent = delivered.get(id)!;
    for (const field of FIELDS) {
      assert.equal(typeof plan[field], 'string', `${id}: the plan has its ${field}`);
      assert.equal(sent[field], plan[field], `${id}: ${field} differs between the plan and the run`);
    }
    assert.deepEqual(sent.headers, plan.headers, `${id}: the headers (List-Unsubscribe) differ between the plan and the run`);
  }
}

/** The run's closing line: `run at <T>: N sent, N waiting, N expired, N failed, N skipped`. */
export function runSummary(stdout: string, at: string): Record<string, number> {
  const line = new RegExp(`^run at ${at.replace(/[.]/g, '\\.')}: (\\d+) sent, (\\d+) waiting, (\\d+) expired, (\\d+) failed, (\\d+) skipped`, 'm').exec(stdout);
  assert.ok(line, `no summary line for ${at} in:\n${stdout.slice(-2000)}`);
  const [sent, waiting, expired, failed, skipped] = line.slice(1).map(Number);
  return { sent: sent!, waiting: waiting!, expired: expired!, failed: failed!, skipped: skipped! };
}
