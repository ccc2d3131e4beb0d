/**
 * The "Copy Skene Prompt" text: the product pages' two lines (`@task`, `@action`), then what
 * Cursor needs to get the config right the first time — the stack and its evidence, the tables
 * and columns the project really has, the config language, the dialect's rules, and how to verify.
 */
import type { LoopType } from '@skene/sdk';
import type { StackDetection } from '../detect/types.js';
import { userSchemaHints } from './hints.js';
import { configLanguageLines, dialectRuleLines } from './language.js';

/** `activation` → `Activation`. */
export function patternLabel(pattern: LoopType | string): string {
  return pattern.charAt(0).toUpperCase() + pattern.slice(1);
}

/**
 * The two lines of the product pages' "Install via Prompt" block. With a config already in the
 * project (`update`), the action updates it rather than generating one.
 */
export function promptHeader(stack: string, pattern: LoopType | string, options: { update?: boolean } = {}): string {
  return [
    '@task: Initialize Skene.',
    `@action: Analyze my local code, validating subscription via \`npx skene login\`, and ${options.update ? 'update' : 'generate'} \`skene.config.ts\` to implement the ${patternLabel(pattern)} Loop pattern for ${stack}.`,
  ].join('\n');
}

/**
 * How the agent validates the subscription: `skene login` reads the key at a hidden prompt, which
 * an agent cannot answer, so it checks with `--status` and leaves the login to the user.
 */
export const LOGIN_LINES = [
  '@login: first run `npx skene login --status` (it prints whether a Resend API key is stored, never the key; exit status 0 when it is).',
  '- If it says "Not logged in", ask me to run `npx skene login` in my terminal and wait for me: it reads the key at a hidden prompt you cannot answer. Never ask me for the key, and never put it in a file, a command or the config.',
];

const MAX_TABLES = 25;
const MAX_COLUMNS = 30;

const where = (e: { file: string; line: number }) => `${e.file}:${e.line}`;

/** The full prompt. Throws for an empty detection (there is no stack to name): show `detection.message` instead. */
export function buildPrompt(detection: StackDetection): string {
  if (detection.empty || !detection.stack) throw new Error(detection.message ?? 'No stack detected.');
  const seed = detection.seed ?? (detection.dialect === 'redis' ? 'skene/seed.redis' : 'skene/seed.sql');
  const lines: string[] = [promptHeader(detection.stack, detection.pattern, { update: detection.config !== undefined }), '', ...LOGIN_LINES, ''];

  lines.push('@context: detected by `npx skene prompt` (use these facts; do not invent tables or columns):');
  for (const f of detection.findings) {
    lines.push(`- ${f.kind}: ${f.name}${f.version ? ` ${f.version}` : ''} (${f.evidence.slice(0, 2).map(where).join(', ')})`);
  }
  lines.push(`- Pattern: ${patternLabel(detection.pattern)} — ${detection.reason}`);
  if (detection.config)
    lines.push(`- Config: \`${detection.config}\` exists. Update it: keep its loops, and add or change what the pattern needs; do not write a second config.`);
  if (detection.seed)
    lines.push(`- Seed: \`${detection.seed}\` is the project's seed, which \`skene plan\` and the editor read; add to it rather than creating another.`);

  if (detection.dialect === 'redis') {
    if (detection.redisKeys.length) {
      lines.push('', 'Redis keys the code uses (a trigger `table` is a key prefix of hashes):');
      for (const k of detection.redisKeys.slice(0, MAX_TABLES)) lines.push(`- \`${k.prefix}:<id>\` (${k.kind}, ${where(k.evidence)})`);
    } else {
      lines.push(
        '',
        'No Redis key prefixes were found in the code: keep users as hashes `users:<id>` (fields `email`, `name`) and per-user actions as sets `user_actions:<id>`.',
      );
    }
  }
  if (detection.tables.length) {
    lines.push('', 'Tables and columns found in the schema files:');
    for (const t of detection.tables.slice(0, MAX_TABLES)) {
      const cols = t.columns.slice(0, MAX_COLUMNS).map((c) => (c.type ? `${c.name} ${c.type}` : c.name));
      const more = t.columns.length > MAX_COLUMNS ? `, … ${t.columns.length - MAX_COLUMNS} more` : '';
      lines.push(`- ${t.name} (${where(t.evidence)})${cols.length ? `: ${cols.join(', ')}${more}` : ': columns not declared here'}`);
    }
    if (detection.tables.length > MAX_TABLES) lines.push(`- … ${detection.tables.length - MAX_TABLES} more tables`);
    const hints = userSchemaHints(detection.tables);
    if (hints.users) {
      const parts = [`users are in \`${hints.users.name}\` (email \`${hints.email}\`${hints.name ? `, name \`${hints.name}\`` : ''})`];
      if (hints.activityColumn) parts.push(`last activity is \`${hints.users.name}.${hints.activityColumn}\``);
      if (hints.activityTable)
        parts.push(
          `activity is recorded in \`${hints.activityTable.table.name}\` (\`${hints.activityTable.userId}\`, \`${hints.activityTable.at}\`${hints.activityTable.kind ? `, \`${hints.activityTable.kind}\`` : ''})`,
        );
      lines.push(`- So: ${parts.join('; ')}.`);
      if (hints.users.name !== 'users' || hints.email !== 'email') {
        const fields = [
          `table: '${hints.users.name}'`,
          ...(hints.email !== 'email' ? [`email: '${hints.email}'`] : []),
          ...(hints.name ? [`name: '${hints.name}'`] : []),
        ];
        lines.push(
          `- The people are not \`users\` with an \`email\` column: write \`defineConfig({ users: { ${fields.join(', ')} }, loops })\`, so that \`user\` is a \`${hints.users.name}\` row (a trigger on \`${hints.users.name}\` itself, or on a table with a foreign key to it) and \`to\` defaults to its address.`,
        );
      }
    }
  } else if (detection.dialect !== 'redis') {
    lines.push(
      '',
      `No schema files (SQL migrations, schema.prisma, Drizzle or TypeORM entities) were found: read the data-access code for table names, and add the tables the loops read to \`${seed}\`.`,
    );
  }

  lines.push('', '@config: the Skene config language (@skene/sdk validates it; its schema is the source of truth):');
  lines.push(...configLanguageLines());
  const supported = detection.dialect !== null;
  lines.push('', `@dialect: ${supported && detection.database ? detection.database : 'PostgreSQL (embedded)'} rules:`);
  if (!supported && detection.database)
    lines.push(
      `- Skene reads PostgreSQL, MySQL (TiDB, MariaDB) and Redis; ${detection.database} is none of these, so write the loops in PostgreSQL against the tables in \`${seed}\`.`,
    );
  lines.push(...dialectRuleLines(detection.dialect, supported ? detection.database : null, seed));

  lines.push('', '@verify:');
  lines.push(
    '- Write each template the config names in `emails/` (a React Email `.tsx` component with `export const subject`, or an `.html` file with `{{key}}` placeholders).',
  );
  lines.push(
    detection.dialect === 'redis'
      ? `- Put a few users (hashes \`users:<id>\` with \`id\`, \`email\`, \`name\`) and the keys the conditions read in \`${seed}\` (redis-cli commands, one per line, fixed dates), so \`skene plan --seed ${seed}\` has data to run on.`
      : `- Put the tables the loops read, with a few rows with fixed dates, in \`${seed}\`${detection.seed ? '' : ' (where `skene plan` and the editor look for a seed)'}, so \`skene plan\` has data to run on.`,
  );
  lines.push('- Run `npx skene check` and `npx skene plan` until both are clean, and fix every diagnostic rather than silencing it.');
  return `${lines.join('\n')}\n`;
}

/** The JSON form of `skene prompt --format json`. */
export function promptJson(detection: StackDetection): {
  stack: string | null;
  pattern: LoopType;
  reason: string;
  database: string | null;
  dialect: string | null;
  evidence: { kind: string; name: string; file: string; line: number; detail?: string }[];
  tables: { name: string; file: string; line: number; columns: string[] }[];
  prompt: string | null;
  message?: string;
} {
  return {
    stack: detection.stack,
    pattern: detection.pattern,
    reason: detection.reason,
    database: detection.database,
    dialect: detection.dialect,
    evidence: detection.findings.flatMap((f) =>
      f.evidence.map((e) => ({ kind: f.kind, name: f.name, file: e.file, line: e.line, ...(e.detail ? { detail: e.detail } : {}) })),
    ),
    tables: detection.tables.map((t) => ({ name: t.name, file: t.evidence.file, line: t.evidence.line, columns: t.columns.map((c) => c.name) })),
    prompt: detection.empty ? null : buildPrompt(detection),
    ...(detection.message ? { message: detection.message } : {}),
  };
}
