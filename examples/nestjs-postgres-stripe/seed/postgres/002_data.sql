-- Fixed dates (no now()). Plan with --at 2026-03-02T09:00:00Z: the daily 09:00 UTC run at that
-- instant compares sessions in [02-23 09:00, 03-02 09:00) with [02-16 09:00, 02-23 09:00).
--
--   user               sessions prev / last week   last active   loop "re-engagement"   loop "session-drop"
--   1 Priya Raman      10 / 1                      02-24         active: no             1 < 2: email
--   2 Marcus Reid       5 / 4                      02-27         no                     no
--   3 Sofia Costa       6 / 0                      02-22         idle 7+ days: email    idle (other loop's job): no
--   4 Chen Wei          0 / 3 (new user)           02-26         no                     no previous week: no
--   5 Fatima Zahra     15 / 2                      02-25         no                     2 < 3: email
--   6 Jonas Berg       10 / 2                      02-25         no                     2 < 2 is false (exactly 80%): no
--   7 Elena Petrova     - / -                      02-10         email                  no
--   8 Tom Fischer       - / -                      02-12         already sent: no       no
--   9 Amara Obi         3 / 0                      02-19         email                  no
-- Expected: 3 re-engagement emails (Sofia, Elena, Amara), 2 session-drop emails (Priya, Fatima).
INSERT INTO users (id, email, name, activation_link, last_activity_at, re_engagement_sent, created_at, stripe_customer_id, plan) VALUES
  (1, 'priya.raman@example.com',   'Priya Raman',   'https://app.acme.example/activate/p1', '2026-02-24T17:05:00Z', false, '2025-09-14T10:00:00Z', 'cus_PqR8sT1uVw2XyZ', 'pro'),
  (2, 'marcus.reid@example.com',   'Marcus Reid',   'https://app.acme.example/activate/m2', '2026-02-27T14:43:00Z', false, '2025-10-02T09:30:00Z', 'cus_Ab3Cd4Ef5Gh6Ij', 'team'),
  (3, 'sofia.costa@example.com',   'Sofia Costa',   'https://app.acme.example/activate/s3', '2026-02-22T11:44:00Z', false, '2025-11-20T15:10:00Z', 'cus_Kl7Mn8Op9Qr0St', 'pro'),
  (4, 'chen.wei@example.com',      'Chen Wei',      'https://app.acme.example/activate/c4', '2026-02-26T11:42:00Z', false, '2026-02-23T18:00:00Z', NULL,                 'free'),
  (5, 'fatima.zahra@example.com',  'Fatima Zahra',  'https://app.acme.example/activate/f5', '2026-02-25T20:36:00Z', false, '2025-07-08T08:45:00Z', 'cus_Uv1Wx2Yz3Ab4Cd', 'team'),
  (6, 'jonas.berg@example.com',    'Jonas Berg',    'https://app.acme.example/activate/j6', '2026-02-25T20:41:00Z', false, '2025-12-11T12:00:00Z', 'cus_Ef5Gh6Ij7Kl8Mn', 'pro'),
  (7, 'elena.petrova@example.com', 'Elena Petrova', 'https://app.acme.example/activate/e7', '2026-02-10T14:05:00Z', false, '2025-06-30T07:20:00Z', 'cus_Op9Qr0St1Uv2Wx', 'pro'),
  (8, 'tom.fischer@example.com',   'Tom Fischer',   'https://app.acme.example/activate/t8', '2026-02-12T16:20:00Z', true,  '2025-08-19T11:11:00Z', 'cus_Yz3Ab4Cd5Ef6Gh', 'team'),
  (9, 'amara.obi@example.com',     'Amara Obi',     'https://app.acme.example/activate/a9', '2026-02-19T15:41:00Z', false, '2026-01-15T16:00:00Z', 'cus_Ij7Kl8Mn9Op0Qr', 'pro');

INSERT INTO user_actions (id, user_id, action_type, created_at) VALUES
  (1, 1, 'first_project_created', '2025-09-14T10:30:00Z'),
  (2, 2, 'first_project_created', '2025-10-02T10:00:00Z'),
  (3, 3, 'first_project_created', '2025-11-20T15:40:00Z'),
  (4, 5, 'first_project_created', '2025-07-08T09:00:00Z'),
  (5, 6, 'first_project_created', '2025-12-11T12:20:00Z'),
  (6, 7, 'first_project_created', '2025-06-30T08:00:00Z'),
  (7, 9, 'first_project_created', '2026-01-15T16:30:00Z');

INSERT INTO events (id, user_id, event_type, occurred_at) VALUES
  (1,  1, 'dashboard_viewed',      '2026-02-20T10:15:00Z'),
  (2,  1, 'invoice_downloaded',    '2026-02-24T17:09:00Z'),
  (3,  2, 'report_exported',       '2026-02-27T14:50:00Z'),
  (4,  3, 'dashboard_viewed',      '2026-02-22T11:50:00Z'),
  (5,  4, 'integration_connected', '2026-02-26T11:48:00Z'),
  (6,  5, 'dashboard_viewed',      '2026-02-21T12:05:00Z'),
  (7,  5, 'report_exported',       '2026-02-25T20:40:00Z'),
  (8,  6, 'report_exported',       '2026-02-25T20:45:00Z'),
  (9,  7, 'dashboard_viewed',      '2026-02-10T14:10:00Z'),
  (10, 8, 'invoice_downloaded',    '2026-02-12T16:25:00Z'),
  (11, 9, 'dashboard_viewed',      '2026-02-19T15:45:00Z');

INSERT INTO sessions (id, user_id, started_at) VALUES
  (1, 1, '2026-02-17T10:03:00Z'),
  (2, 1, '2026-02-18T13:10:00Z'),
  (3, 1, '2026-02-19T15:17:00Z'),
  (4, 1, '2026-02-20T17:24:00Z'),
  (5, 1, '2026-02-21T20:31:00Z'),
  (6, 1, '2026-02-22T11:38:00Z'),
  (7, 1, '2026-02-17T14:45:00Z'),
  (8, 1, '2026-02-18T16:52:00Z'),
  (9, 1, '2026-02-19T19:59:00Z'),
  (10, 1, '2026-02-20T21:06:00Z'),
  (11, 1, '2026-02-24T17:05:00Z'),
  (12, 2, '2026-02-17T10:06:00Z'),
  (13, 2, '2026-02-18T13:13:00Z'),
  (14, 2, '2026-02-19T15:20:00Z'),
  (15, 2, '2026-02-20T17:27:00Z'),
  (16, 2, '2026-02-21T20:34:00Z'),
  (17, 2, '2026-02-24T17:10:00Z'),
  (18, 2, '2026-02-25T20:21:00Z'),
  (19, 2, '2026-02-26T11:32:00Z'),
  (20, 2, '2026-02-27T14:43:00Z'),
  (21, 3, '2026-02-17T10:09:00Z'),
  (22, 3, '2026-02-18T13:16:00Z'),
  (23, 3, '2026-02-19T15:23:00Z'),
  (24, 3, '2026-02-20T17:30:00Z'),
  (25, 3, '2026-02-21T20:37:00Z'),
  (26, 3, '2026-02-22T11:44:00Z'),
  (27, 4, '2026-02-24T17:20:00Z'),
  (28, 4, '2026-02-25T20:31:00Z'),
  (29, 4, '2026-02-26T11:42:00Z'),
  (30, 5, '2026-02-17T10:15:00Z'),
  (31, 5, '2026-02-18T13:22:00Z'),
  (32, 5, '2026-02-19T15:29:00Z'),
  (33, 5, '2026-02-20T17:36:00Z'),
  (34, 5, '2026-02-21T20:43:00Z'),
  (35, 5, '2026-02-22T11:50:00Z'),
  (36, 5, '2026-02-17T14:57:00Z'),
  (37, 5, '2026-02-18T16:04:00Z'),
  (38, 5, '2026-02-19T19:11:00Z'),
  (39, 5, '2026-02-20T21:18:00Z'),
  (40, 5, '2026-02-21T12:25:00Z'),
  (41, 5, '2026-02-22T18:32:00Z'),
  (42, 5, '2026-02-17T22:39:00Z'),
  (43, 5, '2026-02-18T10:46:00Z'),
  (44, 5, '2026-02-19T15:53:00Z'),
  (45, 5, '2026-02-24T17:25:00Z'),
  (46, 5, '2026-02-25T20:36:00Z'),
  (47, 6, '2026-02-17T10:18:00Z'),
  (48, 6, '2026-02-18T13:25:00Z'),
  (49, 6, '2026-02-19T15:32:00Z'),
  (50, 6, '2026-02-20T17:39:00Z'),
  (51, 6, '2026-02-21T20:46:00Z'),
  (52, 6, '2026-02-22T11:53:00Z'),
  (53, 6, '2026-02-17T14:00:00Z'),
  (54, 6, '2026-02-18T16:07:00Z'),
  (55, 6, '2026-02-19T19:14:00Z'),
  (56, 6, '2026-02-20T21:21:00Z'),
  (57, 6, '2026-02-24T17:30:00Z'),
  (58, 6, '2026-02-25T20:41:00Z'),
  (59, 9, '2026-02-17T10:27:00Z'),
  (60, 9, '2026-02-18T13:34:00Z'),
  (61, 9, '2026-02-19T15:41:00Z'),
  (62, 7, '2026-02-10T14:05:00Z'),
  (63, 7, '2026-02-03T09:40:00Z'),
  (64, 8, '2026-02-12T16:20:00Z'),
  (65, 1, '2026-02-09T12:00:00Z');
