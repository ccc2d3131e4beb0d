-- Fixed dates (no now()). Plan with --at 2026-03-02T09:00:00Z: the daily 09:00 UTC run at that
-- instant looks for users idle since before 2026-02-23T09:00:00Z.
--   Noor, Diego, Oliver  idle more than 7 days, not yet contacted     -> 3 re-engagement emails
--   Hannah               idle, but re_engagement_sent = true          -> not selected
--   Kenji, Fatou         active in the last 7 days                    -> not selected
--   Mei                  never active (last_activity_at IS NULL)      -> not selected by this query
INSERT INTO users (id, email, name, activation_link, last_activity_at, re_engagement_sent, created_at) VALUES
  ('0b6c2a4e-8f1d-4c3a-9e57-1a2b3c4d5e01', 'noor.rahman@example.com',    'Noor Rahman',    'https://app.example.com/activate/n1', '2026-02-10T14:22:00Z', false, '2025-11-03T10:00:00Z'),
  ('0b6c2a4e-8f1d-4c3a-9e57-1a2b3c4d5e02', 'diego.alvarez@example.com',  'Diego Álvarez',  'https://app.example.com/activate/d2', '2026-02-19T08:05:00Z', false, '2025-12-14T16:30:00Z'),
  ('0b6c2a4e-8f1d-4c3a-9e57-1a2b3c4d5e03', 'hannah.schmidt@example.com', 'Hannah Schmidt', 'https://app.example.com/activate/h3', '2026-02-15T19:40:00Z', true,  '2025-10-21T09:12:00Z'),
  ('0b6c2a4e-8f1d-4c3a-9e57-1a2b3c4d5e04', 'kenji.watanabe@example.com', 'Kenji Watanabe', 'https://app.example.com/activate/k4', '2026-02-28T12:00:00Z', false, '2026-01-05T07:45:00Z'),
  ('0b6c2a4e-8f1d-4c3a-9e57-1a2b3c4d5e05', 'fatou.diallo@example.com',   'Fatou Diallo',   'https://app.example.com/activate/f5', '2026-03-01T16:30:00Z', false, '2026-02-01T13:20:00Z'),
  ('0b6c2a4e-8f1d-4c3a-9e57-1a2b3c4d5e06', 'oliver.bennett@example.com', 'Oliver Bennett', 'https://app.example.com/activate/o6', '2026-01-28T09:15:00Z', false, '2025-09-30T11:00:00Z'),
  ('0b6c2a4e-8f1d-4c3a-9e57-1a2b3c4d5e07', 'mei.lin@example.com',        'Mei Lin',        'https://app.example.com/activate/m7', NULL,                   false, '2026-02-27T17:05:00Z');

INSERT INTO user_actions (id, user_id, action_type, created_at) VALUES
  (1, '0b6c2a4e-8f1d-4c3a-9e57-1a2b3c4d5e01', 'first_project_created', '2025-11-03T10:20:00Z'),
  (2, '0b6c2a4e-8f1d-4c3a-9e57-1a2b3c4d5e01', 'query_run',             '2026-02-10T14:22:00Z'),
  (3, '0b6c2a4e-8f1d-4c3a-9e57-1a2b3c4d5e02', 'first_project_created', '2025-12-14T16:45:00Z'),
  (4, '0b6c2a4e-8f1d-4c3a-9e57-1a2b3c4d5e02', 'query_run',             '2026-02-19T08:05:00Z'),
  (5, '0b6c2a4e-8f1d-4c3a-9e57-1a2b3c4d5e03', 'query_run',             '2026-02-15T19:40:00Z'),
  (6, '0b6c2a4e-8f1d-4c3a-9e57-1a2b3c4d5e04', 'permission_edited',     '2026-02-28T12:00:00Z'),
  (7, '0b6c2a4e-8f1d-4c3a-9e57-1a2b3c4d5e05', 'subscription_created',  '2026-03-01T16:30:00Z'),
  (8, '0b6c2a4e-8f1d-4c3a-9e57-1a2b3c4d5e06', 'query_run',             '2026-01-28T09:15:00Z');
