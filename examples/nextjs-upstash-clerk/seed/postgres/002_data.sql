-- Fixed dates (no now()): plan with --at 2026-03-02T09:00:00Z for a reproducible result.
-- Five Clerk signups; three created their first project (3 emails), two have not (2 waiting).
INSERT INTO users (id, email, name, activation_link, last_activity_at, re_engagement_sent, created_at) VALUES
  ('user_2aP9xQ3kLm7Rt', 'maya.chen@example.com',    'Maya Chen',       'https://app.example.com/onboarding?step=2&ref=user_2aP9xQ3kLm7Rt', '2026-03-01T10:12:00Z', false, '2026-02-26T09:00:00Z'),
  ('user_2bK4vN8wQe1Zs', 'omar.haddad@example.com',  'Omar Haddad',     'https://app.example.com/onboarding?step=2&ref=user_2bK4vN8wQe1Zs', '2026-02-27T18:40:00Z', false, '2026-02-27T18:31:00Z'),
  ('user_2cJ7tR2yUo5Xd', 'lea.muller@example.com',   'Léa Müller',      'https://app.example.com/onboarding?step=2&ref=user_2cJ7tR2yUo5Xd', '2026-03-01T22:05:00Z', false, '2026-02-28T12:15:00Z'),
  ('user_2dH1mW6pIa9Cv', 'sam.okafor@example.com',   'Sam Okafor',      'https://app.example.com/onboarding?step=2&ref=user_2dH1mW6pIa9Cv', '2026-03-01T08:44:00Z', false, '2026-03-01T08:20:00Z'),
  ('user_2eG3nB5sTy4Fw', 'priya.nair@example.com',   'Priya Nair',      'https://app.example.com/onboarding?step=2&ref=user_2eG3nB5sTy4Fw', '2026-03-02T07:30:00Z', false, '2026-03-02T07:02:00Z');

INSERT INTO user_actions (id, user_id, action_type, created_at) VALUES
  (1, 'user_2aP9xQ3kLm7Rt', 'first_project_created', '2026-02-26T09:14:00Z'),
  (2, 'user_2aP9xQ3kLm7Rt', 'teammate_invited',      '2026-02-27T11:00:00Z'),
  (3, 'user_2bK4vN8wQe1Zs', 'profile_completed',     '2026-02-27T18:35:00Z'),
  (4, 'user_2cJ7tR2yUo5Xd', 'first_project_created', '2026-02-28T12:50:00Z'),
  (5, 'user_2eG3nB5sTy4Fw', 'profile_completed',     '2026-03-02T07:05:00Z'),
  (6, 'user_2eG3nB5sTy4Fw', 'first_project_created', '2026-03-02T07:21:00Z');
