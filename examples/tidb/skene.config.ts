// skene.config.ts - The Automated Way
// From the TiDB page (seeds/003), with two changes: the explicit `id` used in reports, and the
// interval. The page wrote PostgreSQL's `INTERVAL '7 days'`, which TiDB (MySQL dialect) rejects;
// TiDB/MySQL write it `INTERVAL 7 DAY`. `skene check --dialect mysql` reports the original.
import { defineLoop } from '@skene/sdk';

export default defineLoop({
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
        query: `SELECT * FROM users WHERE last_activity_at < NOW() - INTERVAL 7 DAY AND re_engagement_sent = false`,
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
