/**
 * What `skene init` writes for a detected stack: a starter `skene.config.ts` that uses the
 * project's own users table (or Redis keys), one HTML email template, seed data with fixed dates
 * for `skene plan`, and the Cursor rule. Pure: returns the files; the CLI writes them.
 */
import type { LoopType } from '@skene/sdk';
import type { Dialect } from '../dialect.js';
import type { StackDetection } from '../detect/types.js';
import { CURSOR_RULE_PATH, cursorRule } from '../prompt/cursor-rule.js';
import { patternLabel } from '../prompt/prompt.js';
import { printLoop, type LoopParts } from './loop.js';
import { STARTER_AT } from './people.js';
import { redisParts } from './redis.js';
import { sqlLoop } from './sql-loop.js';
import { sqlModel } from './sql-model.js';
import { sqlSeed } from './sql-seed.js';
import type { Starter } from './types.js';

export type { Starter, StarterExpected, StarterFile } from './types.js';
export { STARTER_AT };

/** The sender the starter uses: Resend's test address, which works before a domain is verified. */
export const STARTER_FROM = 'onboarding@resend.dev';

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');

/** The dialect's loop and seed, and the `database:` lines of the config (empty: the embedded PostgreSQL). */
interface DialectParts {
  parts: LoopParts;
  seedPath: string;
  seed: string;
  database: string;
}

function dialectParts(detection: StackDetection, dialect: Dialect, pattern: LoopType, stack: string): DialectParts {
  if (dialect === 'redis') {
    const parts = redisParts(detection, pattern);
    const database = [
      '  // Redis: `skene plan` reads this database (or --database-url; for Upstash, its REST URL and token).',
      "  database: { url: 'redis://127.0.0.1:6379' },",
      '',
    ].join('\n');
    return { parts, seedPath: 'skene/seed.redis', seed: parts.seed, database };
  }
  const model = sqlModel(detection);
  const database =
    dialect === 'mysql'
      ? [
          `  // ${detection.database ?? 'MySQL'} speaks the MySQL dialect. A local TiDB (\`tiup playground\`) listens here;`,
          '  // --database-url or DATABASE_URL point `skene plan` elsewhere.',
          "  database: { url: 'mysql://root@127.0.0.1:4000/test' },",
          '',
        ].join('\n')
      : '';
  return { parts: sqlLoop(model, dialect, pattern), seedPath: 'skene/seed.sql', seed: sqlSeed(model, dialect, stack), database };
}

function nextSteps(dialect: Dialect, seedPath: string): string[] {
  const plan =
    dialect === 'redis'
      ? `npx skene plan --database-url redis://127.0.0.1:6379/15 --seed ${seedPath} --at ${STARTER_AT}   (loads the seed into the scratch database 15)`
      : dialect === 'mysql'
        ? `npx skene plan --seed ${seedPath} --at ${STARTER_AT}   (against the config's database.url, a local TiDB from \`tiup playground\`; or --database-url mysql://…)`
        : `npx skene plan --seed ${seedPath} --at ${STARTER_AT}`;
  return ['npx skene check', plan];
}

/** The files `skene init` writes for the detection (an empty detection gets a generic PostgreSQL starter). */
export function starterProject(detection: StackDetection, options: { pattern?: LoopType } = {}): Starter {
  const pattern = options.pattern ?? detection.pattern;
  const dialect: Dialect = detection.dialect ?? 'postgres';
  const stack = detection.stack ?? 'a new project';
  const { parts, seedPath, seed, database } = dialectParts(detection, dialect, pattern, stack);
  const config = [
    `// skene.config.ts — written by \`skene init\` for ${stack} (${patternLabel(pattern)} Loop pattern).`,
    '// Validate: npx skene check    Dry run (never sends): npx skene plan',
    "import { defineConfig } from '@skene/sdk';",
    '',
    'export default defineConfig({',
    `  email: { from: '${STARTER_FROM}' }, // Resend's test sender: use an address on your verified domain`,
    database + '  loops: [',
    `${indent(printLoop(parts.loop), '    ')},`,
    '  ],',
    '});',
    '',
  ].join('\n');
  return {
    files: [
      { path: 'skene.config.ts', content: config, description: `the ${patternLabel(pattern)} loop` },
      { path: `emails/${parts.template.name}.html`, content: parts.template.html, description: 'its email (HTML; `{{key}}` = personalization)' },
      { path: seedPath, content: seed, description: 'seed data with fixed dates for `skene plan`' },
      { path: CURSOR_RULE_PATH, content: cursorRule({ dialect, database: detection.database }), description: 'the Cursor rule for skene.config.ts' },
    ],
    dialect,
    pattern,
    seed: seedPath,
    at: STARTER_AT,
    expected: parts.expected,
    next: nextSteps(dialect, seedPath),
  };
}
