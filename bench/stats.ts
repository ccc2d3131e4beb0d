/** Small helpers shared by the benchmarks. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function fmt(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`;
}

/** A config with `count` loops, alternating database-triggered activation and scheduled retention loops. */
export function generatedConfig(count: number): string {
  const loops: string[] = [];
  for (let i = 0; i < count; i++) {
    loops.push(
      i % 2 === 0
        ? `  {
    id: 'activation-${i}',
    type: 'activation',
    opinion: 'Welcome users who reach milestone ${i}',
    steps: [{
      trigger: { type: 'database', table: 'users', event: 'insert' },
      condition: { type: 'query', query: \`SELECT * FROM user_actions WHERE user_id = $1 AND action_type = 'milestone_${i}'\`, timeout: '5m' },
      action: { type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}', link: '{{user.activation_link}}' } },
    }],
    recovery: { retries: 3, backoff: 'exponential' },
  },`
        : `  {
    id: 'retention-${i}',
    type: 'retention',
    opinion: 'Re-engage users idle for ${(i % 30) + 1} days',
    steps: [{
      trigger: { type: 'schedule', cron: '0 ${i % 24} * * *', timezone: 'Europe/Helsinki' },
      condition: { type: 'query', query: \`SELECT * FROM users WHERE last_activity_at < NOW() - INTERVAL '${(i % 30) + 1} days' AND re_engagement_sent = false\`, timeout: '10m' },
      action: { type: 'email', provider: 'resend', template: 're_engagement', personalization: { name: '{{user.name}}', lastActivity: '{{user.last_activity_at}}' } },
    }],
  },`,
    );
  }
  return `import { defineConfig } from '@skene/sdk';\n\nexport default defineConfig({\n  loops: [\n${loops.join('\n')}\n  ],\n});\n`;
}
