-- Fixed dates (no NOW()). Plan with --at 2026-03-02T09:00:00Z: the daily 09:00 UTC run at that
-- instant looks for users idle since before 2026-02-23 09:00:00 UTC.
--   Ingrid, Rahul, Tomás  idle more than 7 days, not yet contacted   -> 3 re-engagement emails
--   Aiko                  idle, but re_engagement_sent = TRUE        -> not selected
--   Wei, Chiara           active in the last 7 days                  -> not selected
SET time_zone = '+00:00';

INSERT INTO users (id, email, name, activation_link, last_activity_at, re_engagement_sent, created_at) VALUES
  (101, 'ingrid.larsen@example.com', 'Ingrid Larsen', 'https://app.example.com/activate/i101', '2026-02-09 11:30:00', FALSE, '2025-10-12 08:00:00'),
  (102, 'rahul.mehta@example.com',   'Rahul Mehta',   'https://app.example.com/activate/r102', '2026-02-18 17:45:00', FALSE, '2025-12-01 12:30:00'),
  (103, 'aiko.tanaka@example.com',   'Aiko Tanaka',   'https://app.example.com/activate/a103', '2026-02-12 06:10:00', TRUE,  '2025-11-19 15:00:00'),
  (104, 'wei.zhang@example.com',     'Wei Zhang',     'https://app.example.com/activate/w104', '2026-03-01 20:05:00', FALSE, '2026-01-22 09:40:00'),
  (105, 'tomas.novak@example.com',   'Tomás Novák',   'https://app.example.com/activate/t105', '2026-01-30 13:00:00', FALSE, '2025-08-05 10:10:00'),
  (106, 'chiara.rossi@example.com',  'Chiara Rossi',  'https://app.example.com/activate/c106', '2026-02-26 10:20:00', FALSE, '2026-02-20 14:00:00');

INSERT INTO user_actions (id, user_id, action_type, created_at) VALUES
  (1, 101, 'first_project_created', '2025-10-12 08:30:00'),
  (2, 101, 'query_run',             '2026-02-09 11:30:00'),
  (3, 102, 'first_project_created', '2025-12-01 13:00:00'),
  (4, 102, 'branch_created',        '2026-02-18 17:45:00'),
  (5, 103, 'query_run',             '2026-02-12 06:10:00'),
  (6, 104, 'vector_index_created',  '2026-03-01 20:05:00'),
  (7, 105, 'query_run',             '2026-01-30 13:00:00'),
  (8, 106, 'first_project_created', '2026-02-26 10:20:00');
