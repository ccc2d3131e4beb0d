/**
 * The one schema of a Skene config. Every tool (runtime `defineLoop`, static analysis,
 * completion, hover, JSON Schema) reads this file; none keeps its own copy of the shape.
 * Descriptions here are the documentation shown on hover.
 */
import { z } from 'zod';

export const LOOP_TYPES = ['activation', 'retention', 'adoption', 'milestone', 'referral', 'expansion'] as const;
export const DB_EVENTS = ['insert', 'update', 'delete'] as const;
export const BACKOFFS = ['exponential', 'linear', 'fixed'] as const;
/** Which MySQL-protocol server `database.url` reaches, when the URL does not say it. */
export const DB_FLAVORS = ['mysql', 'mariadb', 'tidb'] as const;
export { TEMPLATE_ROOTS } from './template-roots.js';

/** `30s`, `5m`, `1h`, `7d` (also `500ms`): a whole number and one unit, no spaces. */
export const DURATION_PATTERN = /^[1-9][0-9]*(ms|s|m|h|d)$/;
export const DURATION_FORMS = ['500ms', '30s', '5m', '1h', '7d'] as const;

const duration = z
  .string()
  .regex(DURATION_PATTERN, { message: `a duration is a whole number and a unit: ${DURATION_FORMS.join(', ')}` })
  .describe('A duration: a whole number and one unit — `ms`, `s`, `m`, `h` or `d` (for example `30s`, `5m`, `7d`).');

export const databaseTriggerSchema = z
  .strictObject({
    type: z.literal('database').describe('Fires once per inserted, updated or deleted row of `table`.'),
    table: z.string().min(1).describe('The table (for Redis: the key prefix of hashes, `users` for `users:<id>`) whose rows fire the trigger.'),
    event: z.enum(DB_EVENTS).describe('Which change fires the trigger: `insert`, `update` or `delete`.'),
  })
  .describe("A database trigger: one event per changed row. `$1` in the condition is the row's primary key.");

export const scheduleTriggerSchema = z
  .strictObject({
    type: z.literal('schedule').describe('Fires at each occurrence of a cron expression.'),
    cron: z.string().min(1).describe('A 5-field cron expression: minute hour day-of-month month day-of-week (for example `0 9 * * *`, daily at 09:00).'),
    timezone: z.string().min(1).optional().describe('IANA time zone the cron expression is read in (for example `Europe/Helsinki`). Default UTC.'),
  })
  .describe('A schedule trigger: the condition query returns the recipients, one `user` per row.');

export const triggerSchema = z
  .discriminatedUnion('type', [databaseTriggerSchema, scheduleTriggerSchema])
  .describe('What starts the step: a database change or a schedule.');

export const queryConditionSchema = z
  .strictObject({
    type: z.literal('query').describe('A read-only SQL query.'),
    query: z
      .string()
      .min(1)
      .describe(
        "One read-only SELECT or WITH statement. For database triggers `$1` is the triggering row's primary key and the condition holds when a row comes back; for schedules each row is a recipient.",
      ),
    timeout: duration
      .optional()
      .describe("For database triggers: how long after the trigger the condition may take to become true. For schedules: the query's deadline."),
  })
  .describe('A SQL condition.');

export const redisConditionSchema = z
  .strictObject({
    type: z.literal('redis').describe('A Redis command; the condition holds when its reply is truthy.'),
    command: z
      .array(z.string())
      .min(1)
      .describe("The command and its arguments, `{{…}}` templates allowed: `['SISMEMBER', 'user_actions:{{user.id}}', 'first_project_created']`."),
    timeout: duration.optional().describe('How long after the trigger the condition may take to become true.'),
  })
  .describe('A Redis condition (Upstash Redis and other Redis sources).');

export const conditionSchema = z.discriminatedUnion('type', [queryConditionSchema, redisConditionSchema]).describe("When the step's email is due.");

const templateString = z.string().describe('Text with `{{path}}` placeholders over `user`, `row`, `match`, `loop` and `now`.');

export const emailActionSchema = z
  .strictObject({
    type: z.literal('email').describe('Send an email.'),
    provider: z.literal('resend').describe('The email provider. Only `resend` is supported.'),
    template: z
      .string()
      .min(1)
      .describe('The email template: `emails/<template>.tsx` (a React Email component) or `emails/<template>.html` beside the config.'),
    personalization: z
      .record(z.string(), templateString)
      .optional()
      .describe('Props of the template: `{{path}}` templates over `user`, `row`, `match`, `loop`, `now`.'),
    to: templateString.optional().describe('The recipient. Default `{{user.email}}`.'),
    from: z.string().min(1).optional().describe('The sender. Default `email.from` in `defineConfig`, then `SKENE_EMAIL_FROM`.'),
    subject: templateString.optional().describe("The subject line. Default the template's `subject` export."),
  })
  .describe('An email action.');

export const actionSchema = z.discriminatedUnion('type', [emailActionSchema]).describe('What the step does.');

export const stepSchema = z
  .strictObject({
    trigger: triggerSchema,
    condition: conditionSchema.optional(),
    action: actionSchema,
  })
  .describe('One step: a trigger, an optional condition, an action.');

/** Loop types whose emails are not transactional: they carry one-click unsubscribe by default. */
export const UNSUBSCRIBE_BY_DEFAULT: readonly LoopType[] = ['retention', 'adoption', 'referral', 'expansion'];

export const queryGoalSchema = z
  .strictObject({
    type: z.literal('query').describe('A read-only SQL query: the goal is reached when a row comes back.'),
    query: z
      .string()
      .min(1)
      .describe(
        "One read-only SELECT or WITH statement; `$1` is the recipient's key (`users.key`). The goal is reached when a row comes back; a first column that is a timestamp is taken as the time it was reached.",
      ),
    within: duration.describe('How long after each email the goal counts as a conversion (for example `7d`).'),
  })
  .describe('A SQL goal: what the loop is for.');

export const redisGoalSchema = z
  .strictObject({
    type: z.literal('redis').describe('A Redis command: the goal is reached when its reply is truthy.'),
    command: z
      .array(z.string())
      .min(1)
      .describe("The command and its arguments, `{{…}}` templates over `user` allowed: `['SISMEMBER', 'user_actions:{{user.id}}', 'invited_teammate']`."),
    within: duration.describe('How long after each email the goal counts as a conversion (for example `7d`).'),
  })
  .describe('A Redis goal (Upstash Redis and other Redis sources).');

export const goalSchema = z
  .discriminatedUnion('type', [queryGoalSchema, redisGoalSchema])
  .describe(
    "What the loop is for. After each email the runner checks it until `within` has passed and records the recipient converted (with the time) or not; a recipient who has reached it is not sent the loop's later steps.",
  );

export const recoverySchema = z
  .strictObject({
    retries: z.number().int().min(0).max(10).describe('How many times a transient failure (connection loss, timeout, provider 429/5xx) is retried. 0–10.'),
    backoff: z.enum(BACKOFFS).describe('The wait between retries: `exponential`, `linear` or `fixed` (with jitter).'),
  })
  .describe('Retries of transient failures. Permanent errors (bad SQL, invalid address, quota) are never retried.');

export const loopSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, { message: 'an id is lower-case letters, digits, `-` and `_`' })
      .optional()
      .describe('A stable id used in reports. Default: the loop type and its position, e.g. `activation-1`.'),
    type: z.enum(LOOP_TYPES).describe('The kind of growth loop: activation, retention, adoption, milestone, referral or expansion.'),
    opinion: z.string().min(1).describe('What the loop does, in one sentence. Shown in reports.'),
    steps: z.array(stepSchema).min(1).describe("The loop's steps."),
    recovery: recoverySchema.optional(),
    maxEmailsPerHour: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('At most this many emails per hour (`skene run`): a send beyond it pauses the loop until `skene resume <loop>`. Default: no cap.'),
    goal: goalSchema.optional(),
    unsubscribe: z
      .boolean()
      .optional()
      .describe(
        "Whether the loop's emails carry one-click unsubscribe (`List-Unsubscribe`, RFC 8058) and honour it. Default `true` for retention, adoption, referral and expansion loops, `false` for activation and milestone loops.",
      ),
  })
  .describe('A growth loop.');

/** The app's people table: whose row `user` is, and which column holds the address. */
export const usersSchema = z
  .strictObject({
    table: z
      .string()
      .min(1)
      .optional()
      .describe('The table of the people emails go to (`members`, `accounts`, `crm.customers`; for Redis the key prefix of their hashes). Default `users`.'),
    key: z
      .string()
      .min(1)
      .optional()
      .describe("The table's key column, which other tables' foreign keys (`user_id`) point at. Default its primary key, else `id`."),
    email: z.string().min(1).optional().describe("The column holding a person's email address: `to` defaults to it. Default `email`."),
    name: z.string().min(1).optional().describe("The column holding a person's name, offered first for `{{user.…}}`."),
  })
  .describe(
    "Which table holds the app's people. A database trigger's `user` is the row itself (this table, or a table with the email column) or the row its foreign key to this table points at.",
  );

/** TiDB's watermark capture: which columns of a table show its inserts and its updates. */
export const captureColumnsSchema = z
  .strictObject({
    createdAt: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The column set when a row is inserted: a TIMESTAMP/DATETIME (ideally with microseconds, `TIMESTAMP(6)`) or an AUTO_INCREMENT key column. Inserts are read in its order. Default `created_at`.',
      ),
    updatedAt: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The TIMESTAMP/DATETIME column every update sets (`ON UPDATE CURRENT_TIMESTAMP(6)`): an update that leaves it unchanged is not seen. Default `updated_at`.',
      ),
    overlap: duration
      .optional()
      .describe(
        "How far behind its watermark each poll reads the table again, for transactions that commit late: a row committed longer than this after the time it carries is never seen. Default `65m` (TiDB's longest transaction, max-txn-ttl, is 60 min by default); each poll re-reads this window's rows, so a smaller one costs less if your transactions are short.",
      ),
  })
  .describe("The columns that show a table's inserts and updates to Skene's TiDB watermark capture.");

export const limitsSchema = z
  .strictObject({
    perUser: z
      .strictObject({
        emails: z.number().int().min(1).describe('How many emails one person may get in each `per` window, across all loops.'),
        per: duration.describe('The window, counted back from each send (for example `1d`).'),
      })
      .optional()
      .describe(
        'A frequency cap across all loops: an email beyond it is not sent ("not sent: frequency cap"). A capped slot goes to the email due first; at the same time, to the loop declared first, then the lower step.',
      ),
  })
  .describe('Limits across all loops.');

export const unsubscribeOptionsSchema = z
  .strictObject({
    url: z
      .string()
      .regex(/^https:\/\/[^\s]+$/, { message: 'an https URL, where `skene run --listen` is reachable' })
      .optional()
      .describe(
        'The https address where `skene run --listen` is reachable (for example `https://skene.example.com`): links point at `<url>/unsubscribe/<token>`. Default `SKENE_PUBLIC_URL`.',
      ),
    mailto: z
      .string()
      .min(3)
      .optional()
      .describe('The address `List-Unsubscribe` also names as `mailto:` (for example `unsubscribe@example.com`). Default `SKENE_UNSUBSCRIBE_MAILTO`.'),
  })
  .describe('Where unsubscribe links point. The signing secret is `SKENE_UNSUBSCRIBE_SECRET`, never in the config.');

export const configSchema = z
  .strictObject({
    loops: z.array(loopSchema).describe('The loops.'),
    database: z
      .strictObject({
        url: z
          .string()
          .min(1)
          .optional()
          .describe('Database URL: `postgres://`, `mysql://`, `redis://`, or an Upstash REST URL. Default: an embedded PostgreSQL.'),
        token: z.string().min(1).optional().describe('The Upstash REST token (prefer an environment variable).'),
        allowFunctions: z
          .array(z.string().min(1))
          .optional()
          .describe(
            "Functions (or cast types) outside Skene's read-only allow-list that conditions may call, because you vouch that they only read: `['analytics.engagement_score']`. Each use is shown as a warning (SKN027). See docs/read-only.md.",
          ),
        flavor: z
          .enum(DB_FLAVORS)
          .optional()
          .describe(
            'Which server a `mysql://` URL reaches: `mysql`, `mariadb` or `tidb`. Default: asked of the server (a `*.tidbcloud.com` host or a `tidb://` URL is TiDB). `tidb` makes `skene run` capture changes by watermark, as TiDB has no triggers.',
          ),
        capture: z
          .record(z.string().min(1), captureColumnsSchema)
          .optional()
          .describe(
            "TiDB (watermark capture): per table, as a database trigger writes it, the columns that show a row's inserts and updates: `{ users: { createdAt: 'signup_at', updatedAt: 'modified_at' } }`. Default `created_at` and `updated_at`. See docs/run.md#tidb.",
          ),
      })
      .optional()
      .describe("Where the loops' data lives."),
    users: usersSchema.optional(),
    email: z
      .strictObject({
        from: z.string().min(1).optional().describe('Default sender for every email action.'),
        unsubscribe: unsubscribeOptionsSchema.optional(),
      })
      .optional()
      .describe('Email defaults.'),
    limits: limitsSchema.optional(),
  })
  .describe('A Skene config with several loops and shared settings.');

export type LoopType = (typeof LOOP_TYPES)[number];
export type Trigger = z.infer<typeof triggerSchema>;
export type DatabaseTrigger = z.infer<typeof databaseTriggerSchema>;
export type ScheduleTrigger = z.infer<typeof scheduleTriggerSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type QueryCondition = z.infer<typeof queryConditionSchema>;
export type RedisCondition = z.infer<typeof redisConditionSchema>;
export type EmailAction = z.infer<typeof emailActionSchema>;
export type Step = z.infer<typeof stepSchema>;
export type Recovery = z.infer<typeof recoverySchema>;
export type Goal = z.infer<typeof goalSchema>;
export type QueryGoal = z.infer<typeof queryGoalSchema>;
export type RedisGoal = z.infer<typeof redisGoalSchema>;
export type Limits = z.infer<typeof limitsSchema>;
export type UnsubscribeOptions = z.infer<typeof unsubscribeOptionsSchema>;
export type Loop = z.infer<typeof loopSchema>;
export type LoopInput = z.input<typeof loopSchema>;
export type Config = z.infer<typeof configSchema>;
export type UsersOptions = z.infer<typeof usersSchema>;
export type DbFlavor = (typeof DB_FLAVORS)[number];
export type CaptureColumns = z.infer<typeof captureColumnsSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** Whether a loop's emails carry one-click unsubscribe and honour it: `unsubscribe`, else by its type. */
export function carriesUnsubscribe(loop: Pick<Loop, 'type' | 'unsubscribe'>): boolean {
  return loop.unsubscribe ?? UNSUBSCRIBE_BY_DEFAULT.includes(loop.type);
}
