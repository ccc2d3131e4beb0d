-- Schema for the Upstash example, PostgreSQL dialect (the embedded default, PGlite, or any PostgreSQL).
CREATE TABLE users (
  id                 integer PRIMARY KEY,
  email              text NOT NULL UNIQUE,
  name               text NOT NULL,
  activation_link    text,
  last_activity_at   timestamptz,
  re_engagement_sent boolean NOT NULL DEFAULT false,
  created_at         timestamptz NOT NULL
);

CREATE TABLE user_actions (
  id          integer PRIMARY KEY,
  user_id     integer NOT NULL REFERENCES users (id),
  action_type text NOT NULL,
  created_at  timestamptz NOT NULL
);

CREATE INDEX user_actions_user_id_action_type_idx ON user_actions (user_id, action_type);
