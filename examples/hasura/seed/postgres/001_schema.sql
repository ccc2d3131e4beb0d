-- Schema for the Hasura example: the PostgreSQL database Hasura serves (PGlite by default).
CREATE TABLE users (
  id                 uuid PRIMARY KEY,
  email              text NOT NULL UNIQUE,
  name               text NOT NULL,
  activation_link    text,
  last_activity_at   timestamptz,
  re_engagement_sent boolean NOT NULL DEFAULT false,
  created_at         timestamptz NOT NULL
);

CREATE TABLE user_actions (
  id          bigint PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users (id),
  action_type text NOT NULL,
  created_at  timestamptz NOT NULL
);

CREATE INDEX users_last_activity_at_idx ON users (last_activity_at) WHERE re_engagement_sent = false;
