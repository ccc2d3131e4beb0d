-- Schema for the NestJS + PostgreSQL + Stripe example (PostgreSQL; PGlite by default).
CREATE TABLE users (
  id                 integer PRIMARY KEY,
  email              text NOT NULL UNIQUE,
  name               text NOT NULL,
  activation_link    text,
  last_activity_at   timestamptz,
  re_engagement_sent boolean NOT NULL DEFAULT false,
  created_at         timestamptz NOT NULL,
  stripe_customer_id text UNIQUE,
  plan               text NOT NULL DEFAULT 'free'
);

CREATE TABLE user_actions (
  id          integer PRIMARY KEY,
  user_id     integer NOT NULL REFERENCES users (id),
  action_type text NOT NULL,
  created_at  timestamptz NOT NULL
);

-- Authentication sessions (one row per sign-in), written by the NestJS auth module.
CREATE TABLE sessions (
  id         integer PRIMARY KEY,
  user_id    integer NOT NULL REFERENCES users (id),
  started_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_id_started_at_idx ON sessions (user_id, started_at);

-- Product events, written by the app's event interceptor.
CREATE TABLE events (
  id          integer PRIMARY KEY,
  user_id     integer NOT NULL REFERENCES users (id),
  event_type  text NOT NULL,
  occurred_at timestamptz NOT NULL
);
CREATE INDEX events_user_id_occurred_at_idx ON events (user_id, occurred_at);
