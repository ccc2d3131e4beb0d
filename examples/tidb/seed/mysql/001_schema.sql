-- Schema for the TiDB example, MySQL dialect (TiDB, MySQL, MariaDB).
-- Timestamps are TIMESTAMP columns written in UTC.
SET time_zone = '+00:00';

CREATE TABLE users (
  id                 BIGINT       NOT NULL PRIMARY KEY,
  email              VARCHAR(255) NOT NULL UNIQUE,
  name               VARCHAR(255) NOT NULL,
  activation_link    VARCHAR(512),
  last_activity_at   TIMESTAMP    NULL,
  re_engagement_sent BOOLEAN      NOT NULL DEFAULT FALSE,
  created_at         TIMESTAMP    NOT NULL
);

CREATE TABLE user_actions (
  id          BIGINT       NOT NULL PRIMARY KEY,
  user_id     BIGINT       NOT NULL,
  action_type VARCHAR(64)  NOT NULL,
  created_at  TIMESTAMP    NOT NULL,
  KEY user_actions_user_id_action_type_idx (user_id, action_type)
);
