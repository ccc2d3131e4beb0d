/** `skene.goals` (goal-store-postgres.ts reads and writes it), created with the runner's other state tables (state.ts). */
export function goalStatements(S: string): string {
  return `
-- One row per email of a loop with a goal: the recipient's user key (the goal's $1), and how the
-- goal ended: 'unsent' until the email is sent, 'checking' until converted or sent_at + within.
CREATE TABLE IF NOT EXISTS ${S}.goals (
  email_id text PRIMARY KEY,
  loop_id text NOT NULL,
  step integer NOT NULL,
  user_key text NOT NULL,
  within_ms bigint NOT NULL,
  state text NOT NULL CHECK (state IN ('unsent', 'checking', 'converted', 'not-converted')),
  sent_at timestamptz,
  deadline timestamptz,
  checks integer NOT NULL DEFAULT 0,
  next_check_at timestamptz,
  converted_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS goals_due_idx ON ${S}.goals (next_check_at) WHERE state = 'checking';`;
}
