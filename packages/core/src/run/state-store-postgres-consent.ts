/**
 * Consent in the PostgreSQL state (state-store-postgres.ts): `skene.suppressions`, one row per
 * address and scope (a loop id, or `*` for every loop) that must not be mailed, with why; and the
 * delivery time Resend reports on a send row. Also read by a plan (`skene plan --state-url`),
 * which never creates anything: a state without the table suppresses no one.
 */
import { normalizeAddress, type SuppressionReason } from '../plan/recipient-state.js';
import { ALL_LOOPS } from '../plan/unsubscribe-token.js';
import type { Queryable } from './state.js';
import type { RunStateStore } from './state-store.js';

/** The consent tables and columns, created with the rest of the state (state.ts). */
export function consentStatements(schema: string): string {
  return `-- One row per address (normalised) and scope (a loop id, or '*': every loop) that must not be mailed.
CREATE TABLE IF NOT EXISTS ${schema}.suppressions (
  address text NOT NULL,
  scope text NOT NULL,
  reason text NOT NULL CHECK (reason IN ('unsubscribed', 'bounced', 'complained')),
  source text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (address, scope)
);
-- Resend's email.delivered webhook: when the provider delivered the email, found by its provider id.
ALTER TABLE ${schema}.sends ADD COLUMN IF NOT EXISTS delivered_at timestamptz;
CREATE INDEX IF NOT EXISTS sends_provider_idx ON ${schema}.sends (provider_id) WHERE provider_id IS NOT NULL;`;
}

/** PostgreSQL's "relation does not exist": a state no runner has made (yet) suppresses no one. */
const UNDEFINED_TABLE = '42P01';

export function postgresConsent(db: Queryable, schema: string): Pick<RunStateStore, 'suppress' | 'suppressed' | 'markDelivered'> {
  return {
    async suppress({ address, scope, reason, source }) {
      const { rows } = await db.query(
        `INSERT INTO ${schema}.suppressions (address, scope, reason, source) VALUES ($1, $2, $3, $4)
         ON CONFLICT (address, scope) DO NOTHING RETURNING 1 AS created`,
        [normalizeAddress(address), scope, reason, source],
      );
      return rows.length > 0;
    },

    async suppressed({ addresses, loop }) {
      const found = new Map<string, SuppressionReason>();
      if (!addresses.length) return found;
      let rows: { address: string; scope: string; reason: SuppressionReason }[];
      try {
        ({ rows } = await db.query<{ address: string; scope: string; reason: SuppressionReason }>(
          `SELECT address, scope, reason FROM ${schema}.suppressions WHERE address = ANY($1::text[]) AND scope IN ($2, $3)`,
          [addresses.map(normalizeAddress), ALL_LOOPS, loop],
        ));
      } catch (error) {
        if ((error as { code?: string }).code === UNDEFINED_TABLE) return found;
        throw error;
      }
      // Every loop's row wins over this loop's: the reason shown is the broader one.
      for (const row of rows) if (row.scope === ALL_LOOPS || !found.has(row.address)) found.set(row.address, row.reason);
      return found;
    },

    async markDelivered(providerId, at) {
      const { rows } = await db.query<{ email_id: string }>(
        `UPDATE ${schema}.sends SET delivered_at = $2 WHERE provider_id = $1 AND delivered_at IS NULL RETURNING email_id`,
        [providerId, at],
      );
      return rows[0]?.email_id;
    },
  };
}
