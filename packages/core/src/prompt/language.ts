/**
 * The config language in brief, for the Cursor prompt and the Cursor rule. Field lists and the
 * allowed values are read from @skene/sdk's schema (the single source of truth), not kept here.
 */
import {
  BACKOFFS,
  DB_EVENTS,
  DURATION_FORMS,
  LOOP_TYPES,
  TEMPLATE_ROOTS,
  configSchema,
  databaseTriggerSchema,
  emailActionSchema,
  loopSchema,
  queryConditionSchema,
  recoverySchema,
  redisConditionSchema,
  scheduleTriggerSchema,
} from '@skene/sdk';
import type { Dialect } from '../dialect.js';

interface ZodLike {
  safeParse(value: unknown): { success: boolean };
  def?: { type?: string };
  value?: unknown;
}

/** `{ type: 'database', table, event }`: the schema's fields, optional ones marked `?`. */
export function fieldList(schema: { shape: Record<string, unknown> }): string {
  const parts = Object.entries(schema.shape).map(([key, value]) => {
    const field = value as ZodLike;
    if (field.def?.type === 'literal') return `${key}: '${String(field.value)}'`;
    return field.safeParse(undefined).success ? `${key}?` : key;
  });
  return `{ ${parts.join(', ')} }`;
}

const alternatives = (values: readonly string[]) => values.join(' | ');
const retries = recoverySchema.shape.retries as unknown as { minValue?: number; maxValue?: number };

/** Markdown bullet lines describing the config language. */
export function configLanguageLines(): string[] {
  return [
    "- File: `skene.config.ts` at the project root: `import { defineLoop, defineConfig } from '@skene/sdk';` then `export default defineLoop({...})`, an array of loops, or `defineConfig(" +
      fieldList(configSchema) +
      ")` (`email.from` is the default sender; `users: { table, key?, email?, name? }` names the app's people table when it is not `users` with an `email` column).",
    `- Loop: \`${fieldList(loopSchema)}\`. \`type\` is ${alternatives(LOOP_TYPES)}; \`opinion\` is one sentence shown in reports; \`id\` is lower-case letters, digits, \`-\`, \`_\` (default \`<type>-<n>\`).`,
    `- Step: \`{ trigger, condition?, action }\`.`,
    `- Database trigger: \`${fieldList(databaseTriggerSchema)}\`, \`event\` is ${alternatives(DB_EVENTS)}. Fires once per changed row; \`$1\` in the condition is that row's primary key; \`user\` is the row when the table is the people table (\`users\`, or \`users.table\`) or has its email column, else the people row the table's foreign key (or \`user_id\`) points to (no \`user\`, no email).`,
    `- Schedule trigger: \`${fieldList(scheduleTriggerSchema)}\`, a 5-field cron (\`0 9 * * *\` = daily 09:00), optional IANA timezone. The condition query returns the recipients, one user per row, each with an \`email\` column; no \`$n\` parameters.`,
    `- Query condition: \`${fieldList(queryConditionSchema)}\`: one read-only SELECT or WITH statement. For a database trigger it holds when a row comes back (the first row is \`match\`); \`timeout\` is a duration (${DURATION_FORMS.join(', ')}).`,
    `- Redis condition: \`${fieldList(redisConditionSchema)}\`: \`command\` is the command and its arguments as strings, holds when the reply is truthy.`,
    `- Email action: \`${fieldList(emailActionSchema)}\`. \`template\` names \`emails/<template>.tsx\` (a React Email component, props = the personalization keys, \`export const subject\`) or \`emails/<template>.html\` with \`{{key}}\` placeholders. \`to\` defaults to \`{{user.email}}\`.`,
    `- Placeholders: \`{{path}}\` in personalization, \`to\`, \`subject\` and Redis commands; the roots are ${TEMPLATE_ROOTS.map((r) => `\`${r}\``).join(', ')}.`,
    `- Recovery: \`${fieldList(recoverySchema)}\`, retries ${retries.minValue ?? 0}–${retries.maxValue ?? 10}, backoff ${alternatives(BACKOFFS)}.`,
  ];
}

/** Markdown bullet lines: how SQL (or Redis) is written for the dialect. */
export function dialectRuleLines(dialect: Dialect | null, database?: string | null, seed = 'skene/seed.sql'): string[] {
  const name = database ?? (dialect === 'mysql' ? 'MySQL' : dialect === 'redis' ? 'Redis' : 'PostgreSQL');
  switch (dialect) {
    case 'mysql':
      return [
        `- ${name} speaks the MySQL dialect: intervals are \`NOW() - INTERVAL 7 DAY\` (never PostgreSQL's \`INTERVAL '7 days'\`, which ${name} rejects).`,
        '- Quote identifiers with backticks when needed; booleans are `TINYINT(1)` (`= 0` / `= 1`, `FALSE` / `TRUE`); no `ILIKE`, no `::` casts (use `CAST(x AS …)`), no `RETURNING`.',
        '- Date arithmetic: `DATE_SUB(NOW(), INTERVAL 30 DAY)`, `TIMESTAMPDIFF(DAY, last_activity_at, NOW())`.',
        "- `$1` in a database trigger's condition is the triggering row's primary key (Skene binds it).",
        '- `skene plan` runs the queries against a MySQL-protocol database (`--database-url mysql://…`) with the clock pinned by `--at`.',
      ];
    case 'redis':
      return [
        `- ${name} has no SQL. A "table" is a key prefix of hashes: \`table: 'users'\` means the hashes \`users:<id>\`; a database trigger fires once per such hash.`,
        "- Conditions are Redis commands, `{ type: 'redis', command: ['SISMEMBER', 'user_actions:{{user.id}}', 'first_project_created'] }`, true when the reply is truthy (1, a non-empty string or list).",
        '- A SQL `query` condition against Redis is an error. Schedule triggers need a SQL query to return their recipients, so on Redis use database triggers on a key prefix.',
        '- The `user` in templates is the hash itself (its fields: `{{user.email}}`, `{{user.name}}`).',
        '- `skene plan` reads the Redis database given by `--database-url redis://…` (or an Upstash REST URL with its token).',
      ];
    default:
      return [
        `- ${name === 'PostgreSQL' ? 'PostgreSQL' : `${name} is PostgreSQL`}: intervals are \`NOW() - INTERVAL '7 days'\`; booleans are \`true\` / \`false\`; \`ILIKE\`, \`::\` casts and \`date_trunc\` are available.`,
        '- Quote identifiers that are mixed-case or reserved with double quotes (`"createdAt"`, `"user"`).',
        "- `$1` in a database trigger's condition is the triggering row's primary key.",
        '- `NOW()` / `CURRENT_TIMESTAMP` are pinned by `skene plan --at`, so plans are reproducible.',
        dialect === null
          ? `- No database was detected: \`skene plan\` uses an embedded PostgreSQL seeded from \`${seed}\` (create the tables the loops read there).`
          : `- With no \`--database-url\`, \`skene plan\` uses an embedded PostgreSQL seeded from \`${seed}\`.`,
      ];
  }
}
