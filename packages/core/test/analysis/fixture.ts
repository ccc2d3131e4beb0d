/** Fixture text with a `|` marking a position: returns the text without it and the 1-based line/column. */
export function marked(text: string): { text: string; line: number; column: number } {
  const at = text.indexOf('|');
  if (at === -1) throw new Error('fixture has no | marker');
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { text: before + text.slice(at + 1), line, column: at - before.lastIndexOf('\n') };
}

/** A one-step config; each part is TypeScript object-literal text. */
export function config(parts: { trigger?: string; condition?: string; action?: string; loop?: string; head?: string } = {}): string {
  const trigger = parts.trigger ?? `{ type: 'database', table: 'users', event: 'insert' }`;
  const condition = parts.condition ?? `{ type: 'query', query: \`SELECT 1 FROM user_actions WHERE user_id = $1\`, timeout: '5m' }`;
  const action = parts.action ?? `{ type: 'email', provider: 'resend', template: 'welcome', personalization: { name: '{{user.name}}' } }`;
  return `import { defineLoop } from '@skene/sdk';
${parts.head ?? ''}
export default defineLoop({
  type: 'activation',
  opinion: 'Welcome new users',${parts.loop ? `\n  ${parts.loop}` : ''}
  steps: [{
    trigger: ${trigger},
    condition: ${condition},
    action: ${action},
  }],
  recovery: { retries: 3, backoff: 'exponential' },
});
`;
}

/** Fragments people type half-way: quotes, braces, template syntax, keys, SQL (for random edits). */
export const typedFragments: string[] = [
  '{',
  '}',
  '[',
  ']',
  '`',
  "'",
  '"',
  '${',
  '{{',
  '}}',
  ':',
  ',',
  '\n',
  '\\',
  'type',
  'query: `',
  'SELECT',
  '$1',
  '/*',
  '//',
  'defineLoop(',
  ')',
  '…',
  '\u{1F600}',
  "INTERVAL '",
  "cron: '",
];
