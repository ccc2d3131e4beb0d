// skene.config.ts - The Automated Way
// From the NestJS + PostgreSQL + Stripe page (seeds/004). The first loop is the page's snippet
// (with an explicit `id`); the second is the page's "session count dropped 80%" dormancy
// detection, which the page describes but its snippet does not contain.
import { defineConfig, defineLoop } from '@skene/sdk';

const reEngagement = defineLoop({
  id: 're-engagement',
  type: 'retention',
  opinion: 'Detect dormant users and trigger personalized re-engagement campaigns',
  steps: [
    {
      trigger: {
        type: 'schedule',
        cron: '0 9 * * *' // Daily at 9 AM
      },
      condition: {
        type: 'query',
        query: `SELECT * FROM users WHERE last_activity_at < NOW() - INTERVAL '7 days' AND re_engagement_sent = false`,
        timeout: '10m'
      },
      action: {
        type: 'email',
        provider: 'resend',
        template: 're_engagement',
        personalization: {
          name: '{{user.name}}',
          lastActivity: '{{user.last_activity_at}}'
        }
      }
    }
  ],
  recovery: {
    retries: 3,
    backoff: 'exponential'
  }
});

// Users still around this week (active in the last 7 days, so the loop above does not email
// them) whose session count dropped by more than 80%: sessions in the last 7 days are fewer
// than 20% of the sessions in the 7 days before.
const sessionDrop = defineLoop({
  id: 'session-drop',
  type: 'retention',
  opinion: 'Catch users whose session count dropped 80% week over week, before they go dormant',
  steps: [
    {
      trigger: {
        type: 'schedule',
        cron: '0 9 * * *' // Daily at 9 AM
      },
      condition: {
        type: 'query',
        query: `
          WITH session_counts AS (
            SELECT user_id,
                   count(*) FILTER (WHERE started_at >= NOW() - INTERVAL '7 days') AS sessions_last_7d,
                   count(*) FILTER (WHERE started_at <  NOW() - INTERVAL '7 days') AS sessions_prev_7d
            FROM sessions
            WHERE started_at >= NOW() - INTERVAL '14 days' AND started_at < NOW()
            GROUP BY user_id
          )
          SELECT u.id, u.email, u.name, u.plan, u.last_activity_at,
                 c.sessions_last_7d, c.sessions_prev_7d,
                 (SELECT e.event_type FROM events e
                   WHERE e.user_id = u.id AND e.occurred_at < NOW()
                   ORDER BY e.occurred_at DESC LIMIT 1) AS last_event
          FROM users u
          JOIN session_counts c ON c.user_id = u.id
          WHERE c.sessions_prev_7d > 0
            AND c.sessions_last_7d < c.sessions_prev_7d * 0.2
            AND u.last_activity_at >= NOW() - INTERVAL '7 days'
            AND u.re_engagement_sent = false
          ORDER BY u.id`,
        timeout: '10m'
      },
      action: {
        type: 'email',
        provider: 'resend',
        template: 'session_drop',
        personalization: {
          name: '{{user.name}}',
          plan: '{{user.plan}}',
          sessionsLastWeek: '{{user.sessions_last_7d}}',
          sessionsPreviousWeek: '{{user.sessions_prev_7d}}',
          lastAction: '{{user.last_event}}'
        }
      }
    }
  ],
  recovery: {
    retries: 3,
    backoff: 'exponential'
  }
});

export default defineConfig({
  email: { from: 'Acme <hello@acme.example>' },
  loops: [reEngagement, sessionDrop]
});
