/**
 * `.cursor/rules/skene.mdc`: a Cursor project rule, attached when `skene.config.ts` is in context,
 * describing the config language (from the same lines as the prompt, so the two never disagree).
 */
import type { Dialect } from '../dialect.js';
import { configLanguageLines, dialectRuleLines } from './language.js';

export const CURSOR_RULE_PATH = '.cursor/rules/skene.mdc';

/** The rule file's text. `dialect` puts the project's own dialect first; the others follow. */
export function cursorRule(options: { dialect?: Dialect | null; database?: string | null } = {}): string {
  const order: (Dialect | null)[] = ['postgres', 'mysql', 'redis'];
  const first = options.dialect ?? null;
  const dialects = first ? [first, ...order.filter((d) => d !== first)] : order;
  const title = (d: Dialect | null) =>
    d === 'mysql'
      ? 'MySQL dialect (MySQL, MariaDB, TiDB, PlanetScale)'
      : d === 'redis'
        ? 'Redis (Upstash Redis, Redis)'
        : 'PostgreSQL dialect (PostgreSQL, Supabase, Neon, Hasura)';
  return [
    '---',
    'description: Skene growth loops — how to write skene.config.ts (@skene/sdk), its email templates and seed data',
    'globs: skene.config.ts',
    'alwaysApply: false',
    '---',
    '',
    '# Skene config language',
    '',
    '`skene.config.ts` declares the emails the product sends when users reach (or fail to reach) milestones.',
    'Edit it with the language server running: it validates as you type. Never execute the config to test it.',
    '',
    '## Shape',
    '',
    ...configLanguageLines(),
    '',
    ...dialects.flatMap((d, i) => [
      `## ${title(d)}${i === 0 && first ? ' — this project' : ''}`,
      '',
      ...dialectRuleLines(d, i === 0 ? options.database : undefined),
      '',
    ]),
    '## Workflow',
    '',
    '- Name tables and columns that exist (migrations, `schema.prisma`, ORM entities, `skene/seed.sql`); keep `skene/seed.sql` in step with the loops.',
    '- Every `template` needs `emails/<template>.tsx` or `emails/<template>.html`; every personalization key is a prop / `{{key}}` of it.',
    '- Run `npx skene check` and `npx skene plan` until both are clean. `skene plan` never sends email.',
    '- The Resend key is stored by `npx skene login`; never put API keys in the config.',
    '',
  ].join('\n');
}
