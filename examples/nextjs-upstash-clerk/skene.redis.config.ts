// The same loop against the app's Upstash Redis. Redis has no SQL: `users` is the key prefix
// of the user hashes (`users:<Clerk user id>`, written by the Clerk `user.created` webhook), and
// the condition is a Redis command that holds when its reply is truthy (SISMEMBER → 1 when the
// user has created a project).
import { defineLoop } from '@skene/sdk';

export default defineLoop({
  id: 'activation-welcome',
  type: 'activation',
  opinion: 'Detect when users complete their first key action and trigger personalized onboarding',
  steps: [
    {
      trigger: {
        type: 'database',
        table: 'users',
        event: 'insert'
      },
      condition: {
        type: 'redis',
        command: ['SISMEMBER', 'user_actions:{{user.id}}', 'first_project_created'],
        timeout: '5m'
      },
      action: {
        type: 'email',
        provider: 'resend',
        template: 'activation_welcome',
        personalization: {
          name: '{{user.name}}',
          activationLink: '{{user.activation_link}}'
        }
      }
    }
  ],
  recovery: {
    retries: 3,
    backoff: 'exponential'
  }
});
