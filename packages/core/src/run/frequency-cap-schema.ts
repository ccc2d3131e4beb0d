/**
 * The frequency cap's columns, index and function in the PostgreSQL (and PGlite) state, created
 * with the state's tables (state.ts); frequency-cap-postgres.ts reads and calls them.
 */
import { DEFAULT_CAPTURE_SCHEMA } from './capture-postgres.js';

const S = `"${DEFAULT_CAPTURE_SCHEMA}"`;

/**
 * Run after the state's tables (state.ts). The function is VOLATILE plpgsql: in READ COMMITTED
 * each of its statements takes a new snapshot, so the count that follows the lock sees every
 * send committed by the lock's previous holder. Locks are taken in key order (no deadlock
 * between two callers with overlapping addresses).
 */
export function capStatements(): string {
  return `ALTER TABLE ${S}.sends ADD COLUMN IF NOT EXISTS address text;
ALTER TABLE ${S}.sends ADD COLUMN IF NOT EXISTS due_at timestamptz;
CREATE INDEX IF NOT EXISTS sends_address_due_idx ON ${S}.sends (address, due_at) WHERE state <> 'failed';
CREATE OR REPLACE FUNCTION ${S}.record_capped(sends jsonb, cap_emails integer, cap_per_ms bigint)
RETURNS TABLE (email_id text, outcome text, failure text, taken_by text) LANGUAGE plpgsql VOLATILE AS $cap$
#variable_conflict use_column
DECLARE
  r jsonb;
  lock_key bigint;
  existing text;
  holder text;
  n integer;
  due timestamptz;
BEGIN
  FOR lock_key IN SELECT DISTINCT hashtextextended('skene cap ' || (x->>'address'), 0) FROM jsonb_array_elements(sends) x ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(lock_key);
  END LOOP;
  FOR r IN SELECT x FROM jsonb_array_elements(sends) x LOOP
    email_id := r->>'id';
    failure := r->>'failure';
    taken_by := NULL;
    SELECT s.state INTO existing FROM ${S}.sends s WHERE s.email_id = r->>'id';
    IF FOUND THEN
      outcome := CASE WHEN existing = 'sending' THEN 'earlier-sending' ELSE 'earlier' END;
      RETURN NEXT;
      CONTINUE;
    END IF;
    due := (r->>'due')::timestamptz;
    SELECT count(*)::int, (array_agg(s.email_id ORDER BY s.due_at DESC, s.email_id DESC))[1] INTO n, holder
      FROM ${S}.sends s
      WHERE s.address = r->>'address' AND s.state <> 'failed' AND s.due_at > due - cap_per_ms * interval '1 millisecond';
    IF n >= cap_emails THEN
      outcome := 'capped';
      taken_by := holder;
      RETURN NEXT;
      CONTINUE;
    END IF;
    INSERT INTO ${S}.sends (email_id, loop_id, step, "key", recipient, state, last_error, payload, idempotency_key, address, due_at)
    VALUES (r->>'id', r->>'loop', (r->>'step')::int, r->>'key', r->>'recipient',
            CASE WHEN r->>'failure' IS NULL THEN 'sending' ELSE 'failed' END, r->>'failure', NULLIF(r->'payload', 'null'::jsonb), r->>'request', r->>'address', due);
    outcome := 'created';
    RETURN NEXT;
  END LOOP;
END
$cap$;`;
}
