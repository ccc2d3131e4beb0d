-- Fixed dates (no now()): plan with --at 2026-03-02T09:00:00Z for a reproducible result.
-- Six signups; three created their first project (3 welcome emails), three have not (3 waiting).
INSERT INTO users (id, email, name, activation_link, last_activity_at, re_engagement_sent, created_at) VALUES
  (1, 'ada@example.com',       'Ada Lovelace',      'https://app.example.com/activate/7f3a9c1e', '2026-03-01T17:42:00Z', false, '2026-02-24T08:05:00Z'),
  (2, 'grace@example.com',     'Grace Hopper',      'https://app.example.com/activate/0b8d44f2', '2026-02-26T11:20:00Z', false, '2026-02-25T09:30:00Z'),
  (3, 'alan@example.com',      'Alan Turing',       'https://app.example.com/activate/91c2e7aa', '2026-03-02T07:55:00Z', false, '2026-02-27T14:10:00Z'),
  (4, 'katherine@example.com', 'Katherine Johnson', 'https://app.example.com/activate/5e6f1d03', '2026-02-28T16:00:00Z', false, '2026-02-28T15:45:00Z'),
  (5, 'zoe@example.com',       'Zoë O''Brien',      'https://app.example.com/activate/c4a0b7e9', '2026-03-01T21:03:00Z', false, '2026-03-01T20:12:00Z'),
  (6, 'linus@example.com',     'Linus Ekström',     'https://app.example.com/activate/2d9e8f6b', '2026-03-02T06:30:00Z', false, '2026-03-02T06:02:00Z');

INSERT INTO user_actions (id, user_id, action_type, created_at) VALUES
  (1, 1, 'signed_in',             '2026-02-24T08:06:00Z'),
  (2, 1, 'first_project_created', '2026-02-24T08:19:00Z'),
  (3, 2, 'signed_in',             '2026-02-25T09:31:00Z'),
  (4, 3, 'signed_in',             '2026-02-27T14:11:00Z'),
  (5, 3, 'first_project_created', '2026-02-27T14:40:00Z'),
  (6, 3, 'teammate_invited',      '2026-02-28T10:02:00Z'),
  (7, 5, 'signed_in',             '2026-03-01T20:13:00Z'),
  (8, 5, 'first_project_created', '2026-03-01T20:27:00Z'),
  (9, 6, 'api_key_created',       '2026-03-02T06:10:00Z');
