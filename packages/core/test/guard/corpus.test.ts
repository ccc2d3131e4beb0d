/**
 * No false alarms: realistic growth queries — the conditions people write for activation,
 * re-engagement, upgrade and churn loops — pass the read-only guard, pass `skene check` without a
 * guard diagnostic, and really run on the real servers inside a read-only transaction against a
 * small seeded schema (so the corpus is honest SQL, not just text the guard happens to accept).
 * The product pages' seed configs and the examples pass the guard too.
 */
import { before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { serviceOrSkip } from '../../../../test/helpers/services.js';
// @ts-expect-error plain .mjs script shared with the fixture extraction (as test/seeds.test.ts uses it)
import { seedSnippets } from '../../../../scripts/extract-seed-snippets.mjs';
import { analyze, prepareAnalysis } from '../../src/analysis/analyze.js';
import type { Dialect } from '../../src/analysis/project.js';
import { guardCondition, type GuardDialect } from '../../src/guard/index.js';
import { config } from '../analysis/fixture.js';
import { tempMysqlDatabase, tempPostgresDatabase } from '../plan/helpers.js';

/**
 * A condition: `row` for a database trigger (`$1` is the triggering row's key, bound to 1 here),
 * `schedule` for a schedule (the query returns the recipients: users with an email).
 */
interface Query {
  name: string;
  kind: 'row' | 'schedule';
  sql: string;
  /**
   * MySQL only: what MariaDB runs instead, when the query uses MySQL-8/TiDB syntax MariaDB lacks.
   * Only `col->>'path'`, which MySQL defines as JSON_UNQUOTE(JSON_EXTRACT(col, 'path')).
   */
  mariadb?: string;
}

const PG_SCHEMA = `
CREATE TABLE users (
  id integer PRIMARY KEY, email text NOT NULL UNIQUE, name text, plan text NOT NULL DEFAULT 'free',
  country text, created_at timestamptz NOT NULL, last_activity_at timestamptz,
  re_engagement_sent boolean NOT NULL DEFAULT false, metadata jsonb NOT NULL DEFAULT '{}', tags text[] NOT NULL DEFAULT '{}'
);
CREATE TABLE user_actions (
  id integer PRIMARY KEY, user_id integer NOT NULL REFERENCES users, action_type text NOT NULL,
  created_at timestamptz NOT NULL, properties jsonb NOT NULL DEFAULT '{}'
);
CREATE TABLE projects (
  id integer PRIMARY KEY, owner_id integer NOT NULL REFERENCES users, name text NOT NULL,
  created_at timestamptz NOT NULL, archived_at timestamptz, settings jsonb NOT NULL DEFAULT '{}'
);
CREATE TABLE subscriptions (
  id integer PRIMARY KEY, user_id integer NOT NULL REFERENCES users, plan text NOT NULL, status text NOT NULL,
  amount_cents integer NOT NULL, started_at timestamptz NOT NULL, trial_ends_at timestamptz, canceled_at timestamptz
);
CREATE TABLE sessions (
  id integer PRIMARY KEY, user_id integer NOT NULL REFERENCES users, started_at timestamptz NOT NULL, ended_at timestamptz
);
INSERT INTO users VALUES
  (1, 'ada@example.com', 'Ada', 'pro', 'GB', now() - interval '400 days', now() - interval '1 day', false,
   '{"locale": "en", "newsletter": true, "seats": 8, "timezone": "Europe/London", "onboarding": {"completed": true}, "flags": {"beta": "true"}, "profile": {"company": "Analytical"}, "devices": [{"os": "ios"}], "invites": ["grace@example.com"]}',
   '{onboarded,beta-editor}'),
  (2, 'grace@example.com', 'Grace', 'free', 'US', now() - interval '20 days', now() - interval '15 days', false,
   '{"locale": "en", "referred_by": 1, "timezone": "America/New_York"}', '{}'),
  (3, 'linus@example.com', NULL, 'trial', 'FI', now() - interval '12 days', NULL, false, '{"locale": "fi", "referred_by": 2}', '{}');
INSERT INTO user_actions VALUES
  (1, 1, 'first_project_created', now() - interval '399 days', '{"source": "web"}'),
  (2, 1, 'login', now() - interval '1 day', '{}'),
  (3, 1, 'export', now() - interval '2 days', '{"format": "csv"}'),
  (4, 2, 'login', now() - interval '15 days', '{}'),
  (5, 2, 'invite_sent', now() - interval '16 days', '{"to": "x@example.com"}');
INSERT INTO projects VALUES
  (1, 1, 'Engine', now() - interval '399 days', NULL, '{"integrations": [{"type": "slack"}, {"type": "github"}]}'),
  (2, 1, 'Notes', now() - interval '100 days', now() - interval '10 days', '{}'),
  (3, 2, 'Compiler', now() - interval '18 days', now() - interval '1 day', '{"integrations": []}');
INSERT INTO subscriptions VALUES
  (1, 1, 'pro', 'active', 2900, now() - interval '300 days', NULL, NULL),
  (2, 2, 'free', 'canceled', 0, now() - interval '20 days', NULL, now() - interval '3 days'),
  (3, 3, 'pro', 'trialing', 0, now() - interval '12 days', now() + interval '2 days 12 hours', NULL);
INSERT INTO sessions VALUES
  (1, 1, now() - interval '1 day', now() - interval '23 hours'),
  (2, 1, now() - interval '8 days', NULL),
  (3, 1, now() - interval '9 days', NULL),
  (4, 2, now() - interval '15 days', now() - interval '15 days' + interval '5 minutes');
`;

const PG_QUERIES: Query[] = [
  { name: 'activation: first project created', kind: 'row', sql: `SELECT * FROM user_actions WHERE user_id = $1 AND action_type = 'first_project_created'` },
  {
    name: 're-engagement: idle for 7 days',
    kind: 'schedule',
    sql: `SELECT * FROM users WHERE last_activity_at < NOW() - INTERVAL '7 days' AND re_engagement_sent = false`,
  },
  {
    name: 'CTE + row_number(): last action older than a week',
    kind: 'schedule',
    sql: `WITH ranked AS (
  SELECT user_id, action_type, created_at, row_number() OVER (PARTITION BY user_id ORDER BY created_at DESC) AS rn
  FROM user_actions
)
SELECT u.id, u.email, u.name, r.action_type AS last_action
FROM users u JOIN ranked r ON r.user_id = u.id AND r.rn = 1
WHERE r.created_at < now() - interval '7 days'`,
  },
  {
    name: 'count(*) FILTER: few logins',
    kind: 'schedule',
    sql: `SELECT u.id, u.email,
  count(*) FILTER (WHERE a.action_type = 'login') AS logins,
  count(*) FILTER (WHERE a.action_type = 'first_project_created') AS projects
FROM users u LEFT JOIN user_actions a ON a.user_id = u.id
GROUP BY u.id, u.email
HAVING count(*) FILTER (WHERE a.action_type = 'login') < 3`,
  },
  {
    name: 'LATERAL: latest action per user',
    kind: 'schedule',
    sql: `SELECT u.id, u.email, last.created_at AS last_seen
FROM users u
CROSS JOIN LATERAL (
  SELECT a.created_at FROM user_actions a WHERE a.user_id = u.id ORDER BY a.created_at DESC LIMIT 1
) AS last
WHERE last.created_at < now() - interval '14 days'`,
  },
  {
    name: 'jsonb -> and ->>: onboarding not completed',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE metadata->>'locale' = 'en' AND (metadata->'onboarding'->>'completed')::boolean IS NOT TRUE`,
  },
  { name: 'jsonb @>: newsletter subscribers', kind: 'schedule', sql: `SELECT id, email, name FROM users WHERE metadata @> '{"newsletter": true}'::jsonb` },
  { name: 'jsonb ?: referred user', kind: 'row', sql: `SELECT 1 FROM users WHERE id = $1 AND metadata ? 'referrer'` },
  { name: 'jsonb #>>: no company on the profile', kind: 'schedule', sql: `SELECT id, email FROM users WHERE metadata #>> '{profile,company}' IS NULL` },
  {
    name: 'date_trunc: active three weeks in a row',
    kind: 'schedule',
    sql: `SELECT u.id, u.email FROM users u
WHERE (
  SELECT count(DISTINCT date_trunc('week', a.created_at)) FROM user_actions a
  WHERE a.user_id = u.id AND a.created_at >= date_trunc('week', now()) - interval '3 weeks'
) = 3`,
  },
  {
    name: 'generate_series: a session in each of the last four weeks',
    kind: 'schedule',
    sql: `WITH weeks AS (
  SELECT generate_series(date_trunc('week', now()) - interval '4 weeks', date_trunc('week', now()) - interval '1 week', interval '1 week') AS week_start
)
SELECT u.id, u.email FROM users u
WHERE NOT EXISTS (
  SELECT 1 FROM weeks w
  WHERE NOT EXISTS (
    SELECT 1 FROM sessions s WHERE s.user_id = u.id AND s.started_at >= w.week_start AND s.started_at < w.week_start + interval '1 week'
  )
)`,
  },
  { name: 'EXISTS: has a live project', kind: 'row', sql: `SELECT 1 WHERE EXISTS (SELECT 1 FROM projects p WHERE p.owner_id = $1 AND p.archived_at IS NULL)` },
  {
    name: 'NOT EXISTS: signed up 3 days ago, no project yet',
    kind: 'schedule',
    sql: `SELECT u.id, u.email FROM users u WHERE u.created_at < now() - interval '3 days' AND NOT EXISTS (SELECT 1 FROM projects p WHERE p.owner_id = u.id)`,
  },
  {
    name: 'COALESCE: a name for everyone, idle for a month',
    kind: 'schedule',
    sql: `SELECT id, email, coalesce(name, initcap(split_part(email, '@', 1))) AS name
FROM users WHERE coalesce(last_activity_at, created_at) < now() - interval '30 days'`,
  },
  {
    name: 'INTERVAL arithmetic: trial ends in 2–3 days',
    kind: 'schedule',
    sql: `SELECT u.id, u.email, s.trial_ends_at FROM users u JOIN subscriptions s ON s.user_id = u.id
WHERE s.status = 'trialing' AND s.trial_ends_at BETWEEN now() + interval '2 days' AND now() + interval '3 days'`,
  },
  {
    name: 'interval multiplication: trial ends within two days',
    kind: 'schedule',
    sql: `SELECT u.id, u.email FROM users u JOIN subscriptions s ON s.user_id = u.id WHERE s.status = 'trialing' AND s.trial_ends_at - now() < 2 * interval '1 day'`,
  },
  {
    name: 'CASE: the next plan to offer',
    kind: 'schedule',
    sql: `SELECT u.id, u.email,
  CASE WHEN s.plan = 'pro' THEN 'team' WHEN s.plan = 'free' THEN 'pro' ELSE 'none' END AS offer
FROM users u JOIN subscriptions s ON s.user_id = u.id
WHERE s.status = 'active'`,
  },
  {
    name: 'DISTINCT ON: latest action per user',
    kind: 'schedule',
    sql: `SELECT DISTINCT ON (u.id) u.id, u.email, a.action_type, a.created_at
FROM users u JOIN user_actions a ON a.user_id = u.id
ORDER BY u.id, a.created_at DESC`,
  },
  {
    name: 'string_agg: project names in the email',
    kind: 'schedule',
    sql: `SELECT u.id, u.email, string_agg(p.name, ', ' ORDER BY p.created_at) AS project_names
FROM users u JOIN projects p ON p.owner_id = u.id
GROUP BY u.id, u.email`,
  },
  {
    name: 'percentile_cont WITHIN GROUP: top-decile users',
    kind: 'schedule',
    sql: `WITH per_user AS (SELECT user_id, count(*) AS n FROM user_actions GROUP BY user_id),
stats AS (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY n) AS p90 FROM per_user)
SELECT u.id, u.email FROM users u JOIN per_user c ON c.user_id = u.id CROSS JOIN stats
WHERE c.n >= stats.p90`,
  },
  {
    name: 'extract(epoch from …): signed up within 24 hours',
    kind: 'row',
    sql: `SELECT 1 FROM users u WHERE u.id = $1 AND extract(epoch from (now() - u.created_at)) / 3600 < 24`,
  },
  {
    name: 'age(): sign-up anniversary',
    kind: 'schedule',
    sql: `SELECT id, email, date_part('year', age(now(), created_at))::int AS years
FROM users WHERE age(now(), created_at) >= interval '1 year' AND to_char(created_at, 'MM-DD') = to_char(now(), 'MM-DD')`,
  },
  { name: '::date: signed up yesterday', kind: 'schedule', sql: `SELECT id, email FROM users WHERE created_at::date = (now() - interval '1 day')::date` },
  { name: '::int and ::text: many seats', kind: 'schedule', sql: `SELECT u.id, u.email, u.id::text AS key FROM users u WHERE (u.metadata->>'seats')::int > 5` },
  {
    name: 'ANY(ARRAY[...]): invited a teammate',
    kind: 'row',
    sql: `SELECT 1 FROM user_actions WHERE user_id = $1 AND action_type = ANY(ARRAY['invite_sent', 'teammate_joined'])`,
  },
  {
    name: 'UNION: stale trials and fresh cancellations',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE plan = 'trial' AND created_at < now() - interval '10 days'
UNION
SELECT u.id, u.email FROM users u JOIN subscriptions s ON s.user_id = u.id WHERE s.canceled_at > now() - interval '7 days'`,
  },
  {
    name: 'EXCEPT: everyone without an active subscription',
    kind: 'schedule',
    sql: `SELECT id, email FROM users
EXCEPT
SELECT u.id, u.email FROM users u JOIN subscriptions s ON s.user_id = u.id WHERE s.status = 'active'`,
  },
  {
    name: 'subqueries in the SELECT list',
    kind: 'schedule',
    sql: `SELECT u.id, u.email,
  (SELECT count(*) FROM projects p WHERE p.owner_id = u.id) AS project_count,
  (SELECT max(a.created_at) FROM user_actions a WHERE a.user_id = u.id) AS last_seen
FROM users u WHERE u.plan = 'free'`,
  },
  {
    name: 'lag() over weekly sessions: usage halved',
    kind: 'schedule',
    sql: `WITH weekly AS (
  SELECT user_id, date_trunc('week', started_at) AS week, count(*) AS n FROM sessions GROUP BY 1, 2
), trend AS (
  SELECT user_id, week, n, lag(n) OVER (PARTITION BY user_id ORDER BY week) AS prev FROM weekly
)
SELECT u.id, u.email FROM users u JOIN trend t ON t.user_id = u.id
WHERE t.week = date_trunc('week', now()) AND t.prev IS NOT NULL AND t.n < t.prev / 2.0`,
  },
  {
    name: 'jsonb_array_elements: has the Slack integration',
    kind: 'row',
    sql: `SELECT 1 FROM projects p, jsonb_array_elements(p.settings->'integrations') AS i(value)
WHERE p.owner_id = $1 AND i.value->>'type' = 'slack'`,
  },
  {
    name: 'jsonb_array_length: never invited anyone',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE jsonb_array_length(coalesce(metadata->'invites', '[]'::jsonb)) = 0`,
  },
  {
    name: 'jsonb_each_text: a feature flag',
    kind: 'row',
    sql: `SELECT 1 FROM users u, jsonb_each_text(u.metadata->'flags') AS f(key, value) WHERE u.id = $1 AND f.key = 'beta' AND f.value = 'true'`,
  },
  {
    name: 'jsonb_path_exists: uses the iOS app',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE jsonb_path_exists(metadata, '$.devices[*] ? (@.os == "ios")')`,
  },
  {
    name: 'LIKE, ILIKE, lower(): webmail addresses',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE lower(email) LIKE '%@gmail.com' OR email ILIKE '%@outlook.%' OR email ~* '^[a-z]+@example[.]com$'`,
  },
  {
    name: 'ntile(): the most active quartile',
    kind: 'schedule',
    sql: `SELECT id, email FROM (
  SELECT u.id, u.email, ntile(4) OVER (ORDER BY count(a.id) DESC) AS quartile
  FROM users u LEFT JOIN user_actions a ON a.user_id = u.id GROUP BY u.id, u.email
) q WHERE quartile = 1`,
  },
  {
    name: 'greatest(): idle for three weeks',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE greatest(last_activity_at, created_at) < now() - interval '21 days'`,
  },
  {
    name: 'nullif() in a ratio: mostly exports',
    kind: 'schedule',
    sql: `SELECT u.id, u.email FROM users u JOIN (
  SELECT user_id, count(*) FILTER (WHERE action_type = 'export')::numeric / nullif(count(*), 0) AS export_share
  FROM user_actions GROUP BY user_id
) s ON s.user_id = u.id WHERE s.export_share > 0.3`,
  },
  {
    name: 'bool_and(): every project archived',
    kind: 'schedule',
    sql: `SELECT u.id, u.email FROM users u JOIN projects p ON p.owner_id = u.id GROUP BY u.id, u.email HAVING bool_and(p.archived_at IS NOT NULL)`,
  },
  {
    name: 'text[] with cardinality() and ANY',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE cardinality(tags) = 0 OR NOT ('onboarded' = ANY(tags))`,
  },
  {
    name: 'unnest(): a beta tag',
    kind: 'schedule',
    sql: `SELECT u.id, u.email FROM users u WHERE EXISTS (SELECT 1 FROM unnest(u.tags) AS t(tag) WHERE t.tag LIKE 'beta-%')`,
  },
  {
    name: 'AT TIME ZONE: 9 am where the user lives',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE extract(hour from now() AT TIME ZONE coalesce(metadata->>'timezone', 'UTC')) BETWEEN 0 AND 23`,
  },
  {
    name: 'WITH RECURSIVE: referrers of referrers',
    kind: 'schedule',
    sql: `WITH RECURSIVE referrals AS (
  SELECT id, (metadata->>'referred_by')::int AS referrer, 1 AS depth FROM users WHERE metadata ? 'referred_by'
  UNION ALL
  SELECT r.id, (u.metadata->>'referred_by')::int, r.depth + 1
  FROM referrals r JOIN users u ON u.id = r.referrer
  WHERE u.metadata ? 'referred_by' AND r.depth < 5
)
SELECT u.id, u.email FROM users u WHERE u.id IN (SELECT referrer FROM referrals)`,
  },
  {
    name: 'make_interval(days => …): a month into the subscription',
    kind: 'row',
    sql: `SELECT 1 FROM subscriptions s WHERE s.user_id = $1 AND s.started_at + make_interval(days => 30) < now()`,
  },
  {
    name: 'IN (… HAVING): power users',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE id IN (
  SELECT user_id FROM sessions WHERE started_at > now() - interval '30 days' GROUP BY user_id HAVING count(*) >= 3
)`,
  },
  {
    name: 'date_bin(): busy days',
    kind: 'row',
    sql: `SELECT 1 FROM sessions WHERE user_id = $1 GROUP BY date_bin('1 day', started_at, timestamptz '2020-01-01') HAVING count(*) >= 1`,
  },
  {
    name: 'first_value() over actions: first action',
    kind: 'schedule',
    sql: `SELECT DISTINCT u.id, u.email, first_value(a.action_type) OVER (PARTITION BY u.id ORDER BY a.created_at) AS first_action
FROM users u JOIN user_actions a ON a.user_id = u.id`,
  },
  {
    name: 'jsonb_build_object(): context for the template',
    kind: 'schedule',
    sql: `SELECT u.id, u.email, jsonb_build_object('projects', (SELECT count(*) FROM projects p WHERE p.owner_id = u.id), 'plan', u.plan) AS context
FROM users u WHERE u.plan = 'free'`,
  },
  {
    name: 'current_date: signed up last week',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE created_at >= current_date - 7 AND created_at < current_date`,
  },
  { name: 'IS DISTINCT FROM', kind: 'schedule', sql: `SELECT id, email FROM users WHERE plan IS DISTINCT FROM 'enterprise'` },
  { name: 'ORDER BY … NULLS LAST LIMIT', kind: 'schedule', sql: `SELECT id, email FROM users ORDER BY last_activity_at DESC NULLS LAST LIMIT 100` },
  {
    name: 'quoted identifiers, schema-qualified table',
    kind: 'schedule',
    sql: `SELECT "u"."id", "u"."email" FROM public.users AS "u" WHERE "u"."re_engagement_sent" = false`,
  },
  {
    name: 'sum(CASE …) in HAVING: paying customer',
    kind: 'row',
    sql: `SELECT 1 FROM subscriptions WHERE user_id = $1 GROUP BY user_id HAVING sum(CASE WHEN status = 'active' THEN amount_cents ELSE 0 END) >= 1000`,
  },
  { name: 'TABLESAMPLE BERNOULLI: a test cohort', kind: 'schedule', sql: `SELECT id, email FROM users TABLESAMPLE BERNOULLI (50) REPEATABLE (42)` },
  { name: 'FETCH FIRST n ROWS ONLY', kind: 'schedule', sql: `SELECT id, email FROM users WHERE plan = 'free' ORDER BY created_at FETCH FIRST 10 ROWS ONLY` },
  {
    name: 'moving sum with a window frame',
    kind: 'schedule',
    sql: `SELECT DISTINCT user_id AS id, email FROM (
  SELECT s.user_id, u.email, count(*) OVER (PARTITION BY s.user_id ORDER BY s.started_at ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS recent
  FROM sessions s JOIN users u ON u.id = s.user_id
) w WHERE recent >= 2`,
  },
  {
    name: '$1::int cast and string functions',
    kind: 'row',
    sql: `SELECT left(name, 1) || '.' AS initial, length(email) AS n FROM users WHERE id = $1::int AND position('@' in email) > 1`,
  },
  {
    name: 'count(DISTINCT …) of active days',
    kind: 'schedule',
    sql: `SELECT u.id, u.email FROM users u JOIN sessions s ON s.user_id = u.id WHERE s.started_at > now() - interval '30 days' GROUP BY u.id, u.email HAVING count(DISTINCT s.started_at::date) >= 2`,
  },
  {
    name: 'array_agg() and array_to_string()',
    kind: 'schedule',
    sql: `SELECT u.id, u.email, array_to_string(array_agg(DISTINCT a.action_type ORDER BY a.action_type), ', ') AS did FROM users u JOIN user_actions a ON a.user_id = u.id GROUP BY u.id, u.email`,
  },
  {
    name: 'round(avg()) over session length',
    kind: 'schedule',
    sql: `SELECT u.id, u.email, round(avg(extract(epoch from s.ended_at - s.started_at))::numeric / 60, 1) AS minutes FROM users u JOIN sessions s ON s.user_id = u.id WHERE s.ended_at IS NOT NULL GROUP BY u.id, u.email`,
  },
];

const MYSQL_SCHEMA = `
CREATE TABLE users (
  id BIGINT NOT NULL PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE, name VARCHAR(255), plan VARCHAR(32) NOT NULL DEFAULT 'free',
  country CHAR(2), created_at TIMESTAMP NOT NULL, last_activity_at TIMESTAMP NULL,
  re_engagement_sent BOOLEAN NOT NULL DEFAULT FALSE, metadata JSON NOT NULL
);
CREATE TABLE user_actions (
  id BIGINT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL, action_type VARCHAR(64) NOT NULL, created_at TIMESTAMP NOT NULL,
  properties JSON NOT NULL, KEY user_actions_user_id_idx (user_id, action_type)
);
CREATE TABLE projects (
  id BIGINT NOT NULL PRIMARY KEY, owner_id BIGINT NOT NULL, name VARCHAR(255) NOT NULL, created_at TIMESTAMP NOT NULL,
  archived_at TIMESTAMP NULL
);
CREATE TABLE subscriptions (
  id BIGINT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL, plan VARCHAR(32) NOT NULL, status VARCHAR(32) NOT NULL,
  amount_cents INT NOT NULL, started_at TIMESTAMP NOT NULL, trial_ends_at TIMESTAMP NULL, canceled_at TIMESTAMP NULL
);
CREATE TABLE sessions (
  id BIGINT NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL, started_at TIMESTAMP NOT NULL, ended_at TIMESTAMP NULL
);
INSERT INTO users VALUES
  (1, 'ada@example.com', 'Ada', 'pro', 'GB', NOW() - INTERVAL 400 DAY, NOW() - INTERVAL 1 DAY, FALSE,
   '{"locale": "en", "newsletter": true, "seats": 8, "tags": ["beta"]}'),
  (2, 'grace@example.com', 'Grace', 'free', 'US', NOW() - INTERVAL 20 DAY, NOW() - INTERVAL 15 DAY, FALSE, '{"locale": "en"}'),
  (3, 'linus@example.com', NULL, 'trial', 'FI', NOW() - INTERVAL 12 DAY, NULL, FALSE, '{"locale": "fi"}');
INSERT INTO user_actions VALUES
  (1, 1, 'first_project_created', NOW() - INTERVAL 399 DAY, '{"source": "web"}'),
  (2, 1, 'login', NOW() - INTERVAL 1 DAY, '{}'),
  (3, 2, 'login', NOW() - INTERVAL 15 DAY, '{}'),
  (4, 2, 'invite_sent', NOW() - INTERVAL 16 DAY, '{}');
INSERT INTO projects VALUES
  (1, 1, 'Engine', NOW() - INTERVAL 399 DAY, NULL),
  (2, 2, 'Compiler', NOW() - INTERVAL 18 DAY, NOW() - INTERVAL 1 DAY);
INSERT INTO subscriptions VALUES
  (1, 1, 'pro', 'active', 2900, NOW() - INTERVAL 300 DAY, NULL, NULL),
  (2, 2, 'free', 'canceled', 0, NOW() - INTERVAL 20 DAY, NULL, NOW() - INTERVAL 3 DAY),
  (3, 3, 'pro', 'trialing', 0, NOW() - INTERVAL 12 DAY, NOW() + INTERVAL 60 HOUR, NULL);
INSERT INTO sessions VALUES
  (1, 1, NOW() - INTERVAL 1 DAY, NOW() - INTERVAL 23 HOUR),
  (2, 1, NOW() - INTERVAL 8 DAY, NULL),
  (3, 2, NOW() - INTERVAL 15 DAY, NULL);
`;

const MYSQL_QUERIES: Query[] = [
  { name: 'activation: first project created', kind: 'row', sql: `SELECT * FROM user_actions WHERE user_id = $1 AND action_type = 'first_project_created'` },
  {
    name: 'DATE_SUB(NOW(), INTERVAL 7 DAY): idle for a week',
    kind: 'schedule',
    sql: `SELECT id, email, name FROM users WHERE last_activity_at < DATE_SUB(NOW(), INTERVAL 7 DAY) AND re_engagement_sent = FALSE`,
  },
  {
    name: 'NOW() - INTERVAL 7 DAY (the TiDB example)',
    kind: 'schedule',
    sql: `SELECT * FROM users WHERE last_activity_at < NOW() - INTERVAL 7 DAY AND re_engagement_sent = false`,
  },
  {
    name: 'JSON_EXTRACT / JSON_UNQUOTE: English speakers',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE JSON_UNQUOTE(JSON_EXTRACT(metadata, '$.locale')) = 'en'`,
  },
  {
    name: '->> (MySQL 8 / TiDB): English speakers',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE metadata->>'$.locale' = 'en'`,
    mariadb: `SELECT id, email FROM users WHERE JSON_UNQUOTE(JSON_EXTRACT(metadata, '$.locale')) = 'en'`,
  },
  { name: 'TIMESTAMPDIFF: signed up within 24 hours', kind: 'row', sql: `SELECT 1 FROM users WHERE id = $1 AND TIMESTAMPDIFF(HOUR, created_at, NOW()) < 24` },
  {
    name: 'IFNULL / SUBSTRING_INDEX: a name for everyone',
    kind: 'schedule',
    sql: `SELECT id, email, IFNULL(name, SUBSTRING_INDEX(email, '@', 1)) AS name FROM users WHERE IFNULL(last_activity_at, created_at) < NOW() - INTERVAL 30 DAY`,
  },
  {
    name: 'GROUP_CONCAT: project names',
    kind: 'schedule',
    sql: `SELECT u.id, u.email, GROUP_CONCAT(p.name ORDER BY p.created_at SEPARATOR ', ') AS projects
FROM users u JOIN projects p ON p.owner_id = u.id GROUP BY u.id, u.email`,
  },
  {
    name: 'ROW_NUMBER() window: first ten sign-ups per plan',
    kind: 'schedule',
    sql: `SELECT id, email FROM (
  SELECT u.id, u.email, ROW_NUMBER() OVER (PARTITION BY u.plan ORDER BY u.created_at) AS rn FROM users u
) ranked WHERE rn <= 10`,
  },
  {
    name: 'CTE: fewer than three actions in two weeks',
    kind: 'schedule',
    sql: `WITH active AS (
  SELECT user_id, COUNT(*) AS n FROM user_actions WHERE created_at > NOW() - INTERVAL 14 DAY GROUP BY user_id
)
SELECT u.id, u.email FROM users u LEFT JOIN active a ON a.user_id = u.id WHERE a.n IS NULL OR a.n < 3`,
  },
  {
    name: 'DATE_FORMAT: sign-up anniversary',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE DATE_FORMAT(created_at, '%m-%d') = DATE_FORMAT(NOW(), '%m-%d') AND created_at < NOW() - INTERVAL 1 YEAR`,
  },
  {
    name: 'CASE: the next plan to offer',
    kind: 'schedule',
    sql: `SELECT u.id, u.email, CASE WHEN s.plan = 'pro' THEN 'team' WHEN s.plan = 'free' THEN 'pro' ELSE 'none' END AS offer
FROM users u JOIN subscriptions s ON s.user_id = u.id WHERE s.status = 'active'`,
  },
  {
    name: 'EXISTS: has a live project',
    kind: 'row',
    sql: `SELECT 1 FROM users u WHERE u.id = $1 AND EXISTS (SELECT 1 FROM projects p WHERE p.owner_id = u.id AND p.archived_at IS NULL)`,
  },
  {
    name: 'NOT EXISTS: no project after 3 days',
    kind: 'schedule',
    sql: `SELECT u.id, u.email FROM users u WHERE u.created_at < NOW() - INTERVAL 3 DAY AND NOT EXISTS (SELECT 1 FROM projects p WHERE p.owner_id = u.id)`,
  },
  {
    name: 'LAG() over weekly sessions: usage halved',
    kind: 'schedule',
    sql: `WITH weekly AS (
  SELECT user_id, YEARWEEK(started_at, 1) AS wk, COUNT(*) AS n FROM sessions GROUP BY user_id, YEARWEEK(started_at, 1)
), trend AS (
  SELECT user_id, wk, n, LAG(n) OVER (PARTITION BY user_id ORDER BY wk) AS prev FROM weekly
)
SELECT u.id, u.email FROM users u JOIN trend t ON t.user_id = u.id
WHERE t.wk = YEARWEEK(NOW(), 1) AND t.prev IS NOT NULL AND t.n < t.prev / 2`,
  },
  { name: 'JSON_CONTAINS: beta testers', kind: 'schedule', sql: `SELECT id, email FROM users WHERE JSON_CONTAINS(metadata, '"beta"', '$.tags')` },
  {
    name: 'UNION: stale trials and fresh cancellations',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE plan = 'trial' AND created_at < NOW() - INTERVAL 10 DAY
UNION
SELECT u.id, u.email FROM users u JOIN subscriptions s ON s.user_id = u.id WHERE s.canceled_at > NOW() - INTERVAL 7 DAY`,
  },
  {
    name: 'DATEDIFF + COALESCE: idle two to four weeks',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE DATEDIFF(NOW(), COALESCE(last_activity_at, created_at)) BETWEEN 14 AND 30`,
  },
  {
    name: 'SUM(IF(…)) in HAVING: paying customer',
    kind: 'row',
    sql: `SELECT 1 FROM subscriptions WHERE user_id = $1 GROUP BY user_id HAVING SUM(IF(status = 'active', amount_cents, 0)) >= 1000`,
  },
  {
    name: 'a subquery in the SELECT list',
    kind: 'schedule',
    sql: `SELECT u.id, u.email, (SELECT COUNT(*) FROM projects p WHERE p.owner_id = u.id) AS project_count FROM users u WHERE u.plan = 'free'`,
  },
  {
    name: 'IN (list): invited a teammate',
    kind: 'row',
    sql: `SELECT 1 FROM user_actions WHERE user_id = $1 AND action_type IN ('invite_sent', 'teammate_joined')`,
  },
  {
    name: 'CONCAT / UPPER / LEFT / LIKE',
    kind: 'schedule',
    sql: `SELECT id, email, CONCAT(UPPER(LEFT(email, 1)), LOWER(SUBSTRING(email, 2, 4))) AS display_name FROM users WHERE LOWER(email) LIKE '%@example.com'`,
  },
  { name: 'UNIX_TIMESTAMP arithmetic', kind: 'row', sql: `SELECT 1 FROM users WHERE id = $1 AND UNIX_TIMESTAMP(NOW()) - UNIX_TIMESTAMP(created_at) > 86400` },
  {
    name: 'DATE() = CURDATE() - INTERVAL 1 DAY: signed up yesterday',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE DATE(created_at) = CURDATE() - INTERVAL 1 DAY`,
  },
  { name: 'backquoted identifiers', kind: 'schedule', sql: 'SELECT `u`.`id`, `u`.`email` FROM `users` AS `u` WHERE `u`.`re_engagement_sent` = 0' },
  {
    name: 'COUNT(DISTINCT DATE(…)): active days',
    kind: 'schedule',
    sql: `SELECT u.id, u.email FROM users u JOIN sessions s ON s.user_id = u.id WHERE s.started_at > NOW() - INTERVAL 30 DAY GROUP BY u.id, u.email HAVING COUNT(DISTINCT DATE(s.started_at)) >= 1`,
  },
  {
    name: 'CAST(JSON_EXTRACT(…) AS UNSIGNED): many seats',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE CAST(JSON_EXTRACT(metadata, '$.seats') AS UNSIGNED) > 5`,
  },
  {
    name: 'TIMESTAMPDIFF on a trial end',
    kind: 'schedule',
    sql: `SELECT u.id, u.email FROM users u JOIN subscriptions s ON s.user_id = u.id WHERE s.status = 'trialing' AND TIMESTAMPDIFF(HOUR, NOW(), s.trial_ends_at) BETWEEN 48 AND 72`,
  },
  { name: 'ORDER BY … LIMIT', kind: 'schedule', sql: `SELECT id, email FROM users WHERE plan = 'free' ORDER BY created_at DESC LIMIT 100` },
  {
    name: 'NOT (…): neither free nor trial',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE re_engagement_sent = FALSE AND NOT (plan = 'free' OR plan = 'trial')`,
  },
  {
    name: '= ANY (subquery): had a session this month',
    kind: 'schedule',
    sql: `SELECT id, email FROM users WHERE id = ANY (SELECT user_id FROM sessions WHERE started_at > NOW() - INTERVAL 30 DAY)`,
  },
  {
    name: '<=> (NULL-safe): plan differs from the subscription',
    kind: 'schedule',
    sql: `SELECT u.id, u.email FROM users u JOIN subscriptions s ON s.user_id = u.id WHERE NOT (s.plan <=> u.plan)`,
  },
];

/** The guard's codes: none of them may be reported for a corpus query or a seed. */
const GUARD_CODES = new Set(['SKN020', 'SKN021', 'SKN026', 'SKN027', 'SKN028', 'SKN029']);

/** A one-step config holding `query` as its condition, in a template literal. */
function configWith(query: Query): string {
  const literal = query.sql.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  return config({
    trigger: query.kind === 'row' ? undefined : `{ type: 'schedule', cron: '0 9 * * *' }`,
    condition: `{ type: 'query', query: \`${literal}\`, timeout: '5m' }`,
  });
}

function guardDiagnostics(text: string, dialect: Dialect) {
  return analyze(text, { dialect })
    .diagnostics.filter((d) => GUARD_CODES.has(d.code))
    .map((d) => `${d.code} ${d.message}`);
}

before(() => prepareAnalysis({ dialect: 'all' }));

function staticChecks(dialect: GuardDialect, queries: Query[]) {
  test('control: the same config with a forbidden call or a write is reported (the checks are not vacuous)', () => {
    const sleep: Query = { name: 'sleep', kind: 'row', sql: dialect === 'postgres' ? 'SELECT pg_sleep(1) WHERE $1 > 0' : 'SELECT SLEEP(1) WHERE $1 > 0' };
    const write: Query = { name: 'write', kind: 'row', sql: 'DELETE FROM users WHERE id = $1' };
    assert.deepEqual(
      guardDiagnostics(configWith(sleep), dialect).map((d) => d.slice(0, 6)),
      ['SKN026'],
    );
    assert.deepEqual(
      guardDiagnostics(configWith(write), dialect).map((d) => d.slice(0, 6)),
      ['SKN021'],
    );
  });
  for (const query of queries) {
    test(`${query.name}: the guard and skene check accept it`, () => {
      assert.deepEqual(guardCondition(query.sql, dialect), [], query.sql);
      const text = configWith(query);
      assert.deepEqual(guardDiagnostics(text, dialect), [], text);
      assert.equal(query.sql.includes('$1'), query.kind === 'row', "a database trigger's query uses $1, a schedule's does not");
    });
  }
}

describe('PostgreSQL corpus', () => {
  test('is big enough', () => assert.ok(PG_QUERIES.length >= 40 && new Set(PG_QUERIES.map((q) => q.name)).size === PG_QUERIES.length));
  staticChecks('postgres', PG_QUERIES);

  test('every query runs on PostgreSQL in a read-only transaction', async (t) => {
    const server = await serviceOrSkip(t, 'postgres');
    if (!server) return;
    const url = await tempPostgresDatabase(t, server, 'skene_guard_corpus');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    // Closed in the test itself: the database is dropped (WITH FORCE) by an after hook.
    try {
      await runAll(t, client);
    } finally {
      await client.end();
    }
  });
  async function runAll(t: TestContext, client: pg.Client) {
    await client.query(PG_SCHEMA);
    for (const query of PG_QUERIES) {
      await t.test(query.name, async () => {
        await client.query("BEGIN READ ONLY; SET LOCAL statement_timeout = '10s'");
        try {
          const result = await client.query(query.sql, query.kind === 'row' ? [1] : []);
          if (query.kind === 'schedule')
            assert.ok(
              result.fields.some((f) => f.name === 'email'),
              'a schedule query returns users (an email column)',
            );
        } finally {
          await client.query('ROLLBACK');
        }
      });
    }
  }
});

describe('MySQL-dialect corpus', () => {
  test('is big enough', () => assert.ok(MYSQL_QUERIES.length >= 15 && new Set(MYSQL_QUERIES.map((q) => q.name)).size === MYSQL_QUERIES.length));
  staticChecks('mysql', MYSQL_QUERIES);
  test('the MariaDB rewrites are only ->> spelled out', () => {
    for (const q of MYSQL_QUERIES.filter((q) => q.mariadb)) {
      assert.equal(q.sql.replace(/(\w+)->>('[^']*')/g, 'JSON_UNQUOTE(JSON_EXTRACT($1, $2))'), q.mariadb, q.name);
    }
  });

  test('every query runs on MariaDB in a read-only transaction ($1 bound as ?)', async (t) => {
    const server = await serviceOrSkip(t, 'mysql');
    if (!server) return;
    const url = await tempMysqlDatabase(t, server, 'skene_guard_corpus');
    const conn = await mysql.createConnection({ uri: url, multipleStatements: true, timezone: 'Z' });
    try {
      await runAll(t, conn);
    } finally {
      await conn.end();
    }
  });
  async function runAll(t: TestContext, conn: mysql.Connection) {
    await conn.query(MYSQL_SCHEMA);
    for (const query of MYSQL_QUERIES) {
      await t.test(query.name, async () => {
        const sql = (query.mariadb ?? query.sql).replace(/\$1\b/g, '?');
        const params = Array.from(sql.matchAll(/\?/g), () => 1);
        await conn.query('SET SESSION max_statement_time = 10');
        await conn.query('START TRANSACTION READ ONLY');
        try {
          const [, fields] = await conn.query(sql, params);
          if (query.kind === 'schedule')
            assert.ok(
              (fields ?? []).some((f) => f.name === 'email'),
              'a schedule query returns users (an email column)',
            );
        } finally {
          await conn.query('ROLLBACK');
        }
      });
    }
  }
});

describe('seed configs and examples have no guard diagnostics', () => {
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  const SEEDS = join(root, '..', 'shared', 'seeds');
  const FIXTURES = join(root, 'test', 'fixtures', 'seeds');
  const EXAMPLES = join(root, 'examples');

  /** The seed pages' snippet (TiDB's is PostgreSQL syntax: under the MySQL dialect it is SKN023, the dialect rewrite, only). */
  const checkSeed = (label: string, text: string, tidb: boolean) => {
    assert.deepEqual(guardDiagnostics(text, 'postgres'), [], `${label} (postgres)`);
    if (tidb) {
      const codes = analyze(text, { dialect: 'mysql' }).diagnostics.map((d) => d.code);
      assert.deepEqual(codes, ['SKN023'], `${label} (mysql): the INTERVAL '7 days' rewrite only, no guard code`);
    }
  };

  test("../shared/seeds: every product page's snippet", (t) => {
    if (!existsSync(SEEDS)) {
      if (process.env.SKENE_REQUIRE_SHARED === '1') assert.fail(`../shared/seeds not found beside the repo (${SEEDS})`);
      t.skip('SKIPPED: ../shared/seeds is not beside this checkout');
      return;
    }
    const snippets = seedSnippets(SEEDS) as { file: string; stack: string; snippet: string | undefined }[];
    assert.ok(snippets.length >= 5);
    assert.equal(snippets.filter((s) => /tidb/i.test(s.stack)).length, 1, 'the TiDB page is recognised');
    for (const s of snippets) {
      assert.ok(s.snippet, `${s.file} has a skene.config.ts snippet`);
      checkSeed(s.file, s.snippet, /tidb/i.test(s.stack));
    }
  });

  test('test/fixtures/seeds', () => {
    const stacks = readdirSync(FIXTURES);
    assert.ok(stacks.length >= 5);
    for (const stack of stacks) checkSeed(stack, readFileSync(join(FIXTURES, stack, 'skene.config.ts'), 'utf8'), stack === 'tidb');
  });

  test('examples/*/skene*.config.ts, each in its own dialect', () => {
    const files = readdirSync(EXAMPLES, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) =>
        readdirSync(join(EXAMPLES, d.name))
          .filter((f) => /^skene.*\.config\.ts$/.test(f))
          .map((f) => join(d.name, f)),
      );
    assert.ok(files.length >= 5, files.join(', '));
    for (const file of files) {
      const dialect: Dialect = file.includes('.redis.') ? 'redis' : file.startsWith('tidb') ? 'mysql' : 'postgres';
      assert.deepEqual(guardDiagnostics(readFileSync(join(EXAMPLES, file), 'utf8'), dialect), [], `${file} (${dialect})`);
    }
  });
});
