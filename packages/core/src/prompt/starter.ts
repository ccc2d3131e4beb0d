/**
 * What `skene init` writes for a detected stack: a starter `skene.config.ts` that uses the
 * project's own users table (or Redis keys), one HTML email template, seed data with fixed dates
 * for `skene plan`, and the Cursor rule. Pure: returns the files; the CLI writes them.
 */
import type { LoopType } from '@skene/sdk';
import type { DetectedTable } from '../detect/schema.js';
import type { StackDetection, StackDialect } from '../detect/types.js';
import { CURSOR_RULE_PATH, cursorRule } from './cursor-rule.js';
import { userSchemaHints } from './hints.js';
import { patternLabel } from './prompt.js';

export interface StarterFile {
  /** Relative to the project folder, `/`-separated. */
  path: string;
  content: string;
  /** One line for the summary `skene init` prints. */
  description: string;
}

export interface Starter {
  files: StarterFile[];
  dialect: StackDialect;
  pattern: LoopType;
  /** The seed file `skene plan` is pointed at. */
  seed: string;
  /** A plan instant at which the seed gives a known result (see `expected`). */
  at: string;
  /** What `skene plan --at <at>` reports with the seed (for the summary and tests). */
  expected: { emails: number; waiting: number };
  /** Next steps for the user, one per line. */
  next: string[];
}

/** The sender the starter uses: Resend's test address, which works before a domain is verified. */
export const STARTER_FROM = 'onboarding@resend.dev';
/** The instant the starter's seed data is written around. */
export const STARTER_AT = '2026-03-02T09:00:00Z';

/** Patterns whose starter waits for a schedule (the rest start from a new row). */
const SCHEDULED: LoopType[] = ['retention', 'adoption'];

const PEOPLE = [
  { name: 'Ada Lovelace', email: 'ada@example.com', created: '2026-01-05 09:00:00', active: '2026-02-10 17:42:00', firstProject: true },
  { name: 'Grace Hopper', email: 'grace@example.com', created: '2026-01-20 14:30:00', active: '2026-03-01 11:20:00', firstProject: false },
  { name: 'Alan Turing', email: 'alan@example.com', created: '2026-02-02 08:15:00', active: '2026-02-20 07:55:00', firstProject: true },
  { name: 'Linus Ekström', email: 'linus@example.com', created: '2026-03-01 20:12:00', active: '2026-03-02 06:30:00', firstProject: false },
];
const DAY = 86_400_000;
const ms = (s: string) => Date.parse(`${s.replace(' ', 'T')}Z`);
const AT = Date.parse(STARTER_AT);
/** Who has been idle for more than 7 days at STARTER_AT (Ada and Alan). */
const dormant = (p: (typeof PEOPLE)[number]) => ms(p.active) < AT - 7 * DAY;
const count = (f: (p: (typeof PEOPLE)[number]) => boolean) => PEOPLE.filter(f).length;

const PG_RESERVED = new Set(['user', 'order', 'group', 'table', 'select', 'from', 'where', 'limit', 'offset', 'end', 'default', 'check', 'column', 'references', 'primary', 'all', 'and', 'or', 'to', 'when', 'desc', 'asc', 'both']);

function quote(name: string, dialect: StackDialect): string {
  if (/^[a-z_][a-z0-9_]*$/.test(name) && !PG_RESERVED.has(name)) return name;
  return dialect === 'mysql' ? `\`${name.replace(/`/g, '``')}\`` : `"${name.replace(/"/g, '""')}"`;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

interface SqlModel {
  table: string;
  /** True when the project has no users table and the seed defines one. */
  own: boolean;
  id: string;
  idType: 'integer' | 'uuid' | 'text';
  email: string;
  name?: string;
  created?: string;
  activity?: { kind: 'column'; column: string } | { kind: 'table'; table: string; userId: string; at: string };
  /** The users table is literally `users`: templates may use `user`; otherwise they use `row`. */
  isUsers: boolean;
}

function idTypeOf(table: DetectedTable | undefined, column: string): SqlModel['idType'] {
  const type = table?.columns.find((c) => c.name === column)?.type?.toLowerCase() ?? '';
  if (type.includes('uuid')) return 'uuid';
  if (/^(text|string|varchar|character varying|char)/.test(type) && !/serial|int/.test(type)) return 'text';
  return 'integer';
}

function sqlModel(detection: StackDetection): SqlModel {
  const hints = userSchemaHints(detection.tables);
  if (!hints.users || !hints.email) {
    return { table: 'users', own: true, id: 'id', idType: 'integer', email: 'email', name: 'name', created: 'created_at', activity: { kind: 'column', column: 'last_activity_at' }, isUsers: true };
  }
  const t = hints.users;
  const id = t.columns.some((c) => c.name === 'id') ? 'id' : t.columns[0]?.name ?? 'id';
  const activity: SqlModel['activity'] = hints.activityColumn
    ? { kind: 'column', column: hints.activityColumn }
    : hints.activityTable
      ? { kind: 'table', table: hints.activityTable.table.name, userId: hints.activityTable.userId, at: hints.activityTable.at }
      : undefined;
  return { table: t.name, own: false, id, idType: idTypeOf(t, id), email: hints.email, name: hints.name, created: hints.createdAt, activity, isUsers: t.name === 'users' };
}

function idLiteral(model: SqlModel, i: number): string {
  if (model.idType === 'uuid') return sqlString(`00000000-0000-4000-8000-00000000000${i + 1}`);
  if (model.idType === 'text') return sqlString(`user_${i + 1}`);
  return String(i + 1);
}

function sqlSeed(model: SqlModel, dialect: 'postgres' | 'mysql', stack: string): string {
  const q = (n: string) => quote(n, dialect);
  const ts = dialect === 'mysql' ? 'DATETIME' : 'timestamptz';
  const idSql = model.idType === 'uuid' ? (dialect === 'mysql' ? 'CHAR(36)' : 'uuid') : model.idType === 'text' ? (dialect === 'mysql' ? 'VARCHAR(64)' : 'text') : dialect === 'mysql' ? 'BIGINT' : 'integer';
  const text = dialect === 'mysql' ? 'VARCHAR(255)' : 'text';
  const at = (s: string) => sqlString(dialect === 'mysql' ? s : `${s}+00`);
  // Idempotent, so seeding a database twice (a real MySQL or PostgreSQL given with --database-url) is harmless.
  const insert = dialect === 'mysql' ? 'INSERT IGNORE INTO' : 'INSERT INTO';
  const conflict = dialect === 'mysql' ? '' : '\nON CONFLICT DO NOTHING';
  const cols: [string, string][] = [[model.id, `${idSql} PRIMARY KEY`], [model.email, `${text} NOT NULL`]];
  if (model.name) cols.push([model.name, text]);
  if (model.created) cols.push([model.created, `${ts} NOT NULL`]);
  if (model.activity?.kind === 'column') cols.push([model.activity.column, ts]);
  const lines = [
    `-- Seed data for \`skene plan\`: the tables the loops in skene.config.ts read, with fixed dates,`,
    `-- so a plan at a pinned \`--at\` gives the same emails on any day. ${model.own ? 'No users table was found in the project: this one is an example.' : `Columns as in the project's \`${model.table}\` table.`}`,
    `-- Written by \`skene init\` for ${stack}. ${dialect === 'mysql' ? 'MySQL dialect.' : 'PostgreSQL dialect (the embedded database `skene plan` uses).'}`,
    '',
    `CREATE TABLE IF NOT EXISTS ${q(model.table)} (`,
    cols.map(([n, t]) => `  ${q(n)} ${t}`).join(',\n'),
    ');',
    '',
    `${insert} ${q(model.table)} (${cols.map(([n]) => q(n)).join(', ')}) VALUES`,
    PEOPLE.map((p, i) => {
      const values = [idLiteral(model, i), sqlString(p.email)];
      if (model.name) values.push(sqlString(p.name));
      if (model.created) values.push(at(p.created));
      if (model.activity?.kind === 'column') values.push(at(p.active));
      return `  (${values.join(', ')})`;
    }).join(',\n') + `${conflict};`,
  ];
  if (model.activity?.kind === 'table') {
    const a = model.activity;
    lines.push(
      '',
      `CREATE TABLE IF NOT EXISTS ${q(a.table)} (`,
      `  ${q(a.userId)} ${idSql} NOT NULL,`,
      `  ${q(a.at)} ${ts} NOT NULL`,
      ');',
      '',
      `${insert} ${q(a.table)} (${q(a.userId)}, ${q(a.at)}) VALUES`,
      PEOPLE.map((p, i) => `  (${idLiteral(model, i)}, ${at(p.active)})`).join(',\n') + `${conflict};`,
    );
  }
  return `${lines.join('\n')}\n`;
}

interface LoopParts {
  loop: string;
  template: { name: string; html: string };
  expected: Starter['expected'];
}

function html(title: string, paragraphs: string[]): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '  <head>',
    '    <meta charset="utf-8">',
    `    <title>${title}</title>`,
    '  </head>',
    '  <body style="font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; line-height: 1.5; color: #111;">',
    ...paragraphs.map((p) => `    <p>${p}</p>`),
    '  </body>',
    '</html>',
    '',
  ].join('\n');
}

const indent = (text: string, by: string) => text.split('\n').map((l) => (l ? by + l : l)).join('\n');

const welcomeTemplate = {
  name: 'welcome',
  html: html('Welcome, {{name}}', ['Hi {{name}},', 'Thanks for signing up. The quickest way to see what the app can do is to create your first project — it takes a minute.', 'Reply to this email if anything gets in the way.']),
};

function sqlLoop(model: SqlModel, dialect: 'postgres' | 'mysql', pattern: LoopType): LoopParts {
  const q = (n: string) => quote(n, dialect);
  const ctx = model.isUsers ? 'user' : 'row';
  const since = (days: number) => (dialect === 'mysql' ? `NOW() - INTERVAL ${days} DAY` : `NOW() - INTERVAL '${days} day${days === 1 ? '' : 's'}'`);
  const recipientColumns = (alias: string) => {
    const cols = [`${alias}.${q(model.id)}`, model.email === 'email' ? `${alias}.${q(model.email)}` : `${alias}.${q(model.email)} AS email`];
    if (model.name) cols.push(model.name === 'name' ? `${alias}.${q(model.name)}` : `${alias}.${q(model.name)} AS name`);
    return cols;
  };
  if (!SCHEDULED.includes(pattern) && !model.isUsers && model.created) {
    // The users live in a table other than \`users\` (Supabase's \`profiles\`): a database trigger's
    // \`user\` is the \`users\` row, so welcome the day's sign-ups on a schedule, one recipient per row.
    return {
      loop: `{
  id: 'welcome',
  type: '${pattern}',
  opinion: 'Each morning, welcome the users who signed up since yesterday and point them to their first key action',
  steps: [
    {
      trigger: { type: 'schedule', cron: '0 9 * * *' }, // daily at 09:00 UTC
      condition: {
        type: 'query',
        query: \`SELECT ${recipientColumns('p').join(', ')} FROM ${q(model.table)} p WHERE p.${q(model.created)} >= ${since(1)}\`,
        timeout: '1m',
      },
      action: {
        type: 'email',
        provider: 'resend',
        template: 'welcome',
        personalization: {
          name: '{{user.${model.name ? 'name' : 'email'}}}',
        },
      },
    },
  ],
  recovery: { retries: 3, backoff: 'exponential' },
}`,
      template: welcomeTemplate,
      expected: { emails: count((p) => ms(p.created) >= AT - DAY), waiting: 0 },
    };
  }
  if (!SCHEDULED.includes(pattern)) {
    // A new row in the users table: welcome them. `user` is the row itself when the table is `users`.
    const name = model.name ?? model.email;
    const to = model.isUsers && model.email === 'email' ? '' : `\n        to: '{{${ctx}.${model.email}}}',`;
    return {
      loop: `{
  id: 'welcome',
  type: '${pattern}',
  opinion: 'Welcome every new user and point them to their first key action',
  steps: [
    {
      trigger: { type: 'database', table: '${model.table}', event: 'insert' },
      action: {
        type: 'email',
        provider: 'resend',
        template: 'welcome',${to}
        personalization: {
          name: '{{${ctx}.${name}}}',
        },
      },
    },
  ],
  recovery: { retries: 3, backoff: 'exponential' },
}`,
      template: welcomeTemplate,
      expected: { emails: PEOPLE.length, waiting: 0 },
    };
  }
  // A daily schedule: the query returns the recipients, one row per user, with an `email` column.
  const interval = since(7);
  const u = q(model.table);
  const select = recipientColumns('u');
  let where: string;
  let lastActivity: string | undefined;
  if (model.activity?.kind === 'column') {
    select.push(model.activity.column === 'last_activity_at' ? `u.${q(model.activity.column)}` : `u.${q(model.activity.column)} AS last_activity_at`);
    where = `u.${q(model.activity.column)} < ${interval}`;
    lastActivity = 'last_activity_at';
  } else if (model.activity?.kind === 'table') {
    const a = model.activity;
    where = `NOT EXISTS (SELECT 1 FROM ${q(a.table)} a WHERE a.${q(a.userId)} = u.${q(model.id)} AND a.${q(a.at)} > ${interval})`;
  } else if (model.created) {
    select.push(`u.${q(model.created)} AS created_at`);
    where = `u.${q(model.created)} < ${interval}`;
  } else {
    where = '1 = 1';
  }
  const personalization = [`          name: '{{user.${model.name ? 'name' : 'email'}}}',`];
  if (lastActivity) personalization.push(`          lastActivity: '{{user.${lastActivity}}}',`);
  const recipients = model.activity ? count(dormant) : model.created ? count((p) => ms(p.created) < AT - 7 * DAY) : PEOPLE.length;
  return {
    loop: `{
  id: 're-engagement',
  type: '${pattern}',
  opinion: '${model.activity ? 'Re-engage users who have been idle for 7 days' : 'Check in with users a week after they sign up'}',
  steps: [
    {
      trigger: { type: 'schedule', cron: '0 9 * * *' }, // daily at 09:00 UTC
      condition: {
        type: 'query',
        query: \`SELECT ${select.join(', ')} FROM ${u} u WHERE ${where}\`,
        timeout: '1m',
      },
      action: {
        type: 'email',
        provider: 'resend',
        template: 're_engagement',
        personalization: {
${personalization.join('\n')}
        },
      },
    },
  ],
  recovery: { retries: 3, backoff: 'exponential' },
}`,
    template: {
      name: 're_engagement',
      html: html('We saved your place, {{name}}', ['Hi {{name}},', ...(lastActivity ? ['We have not seen you since {{lastActivity}}. Everything you set up is still there.'] : ['Everything you set up is still there.']), 'Pick up where you left off — and reply to this email if something got in the way.']),
    },
    expected: { emails: recipients, waiting: 0 },
  };
}

function redisParts(detection: StackDetection, pattern: LoopType): LoopParts & { seed: string } {
  const actions = detection.redisKeys.some((k) => k.prefix === 'user_actions' && k.kind === 'set');
  const seed = [
    '# Seed data for `skene plan` against Redis: redis-cli commands, one per line, fixed dates.',
    '# `skene plan --database-url redis://127.0.0.1:6379/15 --seed skene/seed.redis` loads it into a scratch database.',
    ...PEOPLE.map((p, i) => `HSET users:${i + 1} id ${i + 1} email ${p.email} name "${p.name}" created_at ${p.created.replace(' ', 'T')}Z last_activity_at ${p.active.replace(' ', 'T')}Z`),
  ];
  let condition: string;
  let opinion: string;
  let waiting: number;
  if (SCHEDULED.includes(pattern)) {
    // Redis conditions hold when the reply is truthy, so idleness is a set the app (or a job) keeps.
    seed.push(`SADD dormant_users ${PEOPLE.flatMap((p, i) => (dormant(p) ? [String(i + 1)] : [])).join(' ')}`);
    condition = `      // Holds when the user is in the set \`dormant_users\` (kept by your app or a nightly job).
      condition: { type: 'redis', command: ['SISMEMBER', 'dormant_users', '{{user.id}}'] },
`;
    opinion = 'Re-engage users who have gone dormant';
    waiting = count((p) => !dormant(p));
  } else if (actions) {
    seed.push(...PEOPLE.map((p, i) => `SADD user_actions:${i + 1} signed_in${p.firstProject ? ' first_project_created' : ''}`));
    condition = `      // Holds once the user has created a first project (the set \`user_actions:<id>\` your code writes).
      condition: { type: 'redis', command: ['SISMEMBER', 'user_actions:{{user.id}}', 'first_project_created'], timeout: '5m' },
`;
    opinion = 'Welcome users who create their first project';
    waiting = count((p) => !p.firstProject);
  } else {
    condition = '';
    opinion = 'Welcome every new user and point them to their first key action';
    waiting = 0;
  }
  const template = SCHEDULED.includes(pattern) ? 're_engagement' : 'welcome';
  return {
    loop: `{
  id: '${SCHEDULED.includes(pattern) ? 're-engagement' : 'welcome'}',
  type: '${pattern}',
  opinion: '${opinion}',
  steps: [
    {
      // Redis has no tables: \`users\` is the key prefix of the user hashes \`users:<id>\`.
      trigger: { type: 'database', table: 'users', event: 'insert' },
${condition}      action: {
        type: 'email',
        provider: 'resend',
        template: '${template}',
        personalization: {
          name: '{{user.name}}',
        },
      },
    },
  ],
  recovery: { retries: 3, backoff: 'exponential' },
}`,
    template: {
      name: template,
      html: SCHEDULED.includes(pattern)
        ? html('We saved your place, {{name}}', ['Hi {{name}},', 'Everything you set up is still there. Pick up where you left off — and reply to this email if something got in the way.'])
        : html('Welcome, {{name}}', ['Hi {{name}},', 'Thanks for signing up — your first project is the quickest way to see what the app can do.', 'Reply to this email if anything gets in the way.']),
    },
    expected: { emails: PEOPLE.length - waiting, waiting },
    seed: `${seed.join('\n')}\n`,
  };
}

/** The files `skene init` writes for the detection (an empty detection gets a generic PostgreSQL starter). */
export function starterProject(detection: StackDetection, options: { pattern?: LoopType } = {}): Starter {
  const pattern = options.pattern ?? detection.pattern;
  const dialect: StackDialect = detection.dialect ?? 'postgres';
  const stack = detection.stack ?? 'a new project';
  const header = [
    `// skene.config.ts — written by \`skene init\` for ${stack} (${patternLabel(pattern)} Loop pattern).`,
    '// Validate: npx skene check    Dry run (never sends): npx skene plan',
  ];
  let database = '';
  let parts: LoopParts;
  let seedPath: string;
  let seed: string;
  if (dialect === 'redis') {
    const r = redisParts(detection, pattern);
    parts = r;
    seedPath = 'skene/seed.redis';
    seed = r.seed;
    database = `  // Redis: \`skene plan\` reads this database (or --database-url; for Upstash, its REST URL and token).\n  database: { url: 'redis://127.0.0.1:6379' },\n`;
  } else {
    const model = sqlModel(detection);
    parts = sqlLoop(model, dialect, pattern);
    seedPath = 'skene/seed.sql';
    seed = sqlSeed(model, dialect, stack);
    if (dialect === 'mysql') {
      database = `  // ${detection.database ?? 'MySQL'} speaks the MySQL dialect. A local TiDB (\`tiup playground\`) listens here;\n  // --database-url or DATABASE_URL point \`skene plan\` elsewhere.\n  database: { url: 'mysql://root@127.0.0.1:4000/test' },\n`;
    }
  }
  const config = [
    ...header,
    "import { defineConfig } from '@skene/sdk';",
    '',
    'export default defineConfig({',
    `  email: { from: '${STARTER_FROM}' }, // Resend's test sender: use an address on your verified domain`,
    database + '  loops: [',
    `${indent(parts.loop, '    ')},`,
    '  ],',
    '});',
    '',
  ].join('\n');
  const planSeed = dialect === 'redis' ? '' : ` --seed ${seedPath}`;
  const next = [
    'npx skene check',
    dialect === 'redis'
      ? `npx skene plan --database-url redis://127.0.0.1:6379/15 --seed ${seedPath} --at ${STARTER_AT}   (loads the seed into the scratch database 15)`
      : dialect === 'mysql'
        ? `npx skene plan${planSeed} --at ${STARTER_AT}   (against the config's database.url, a local TiDB from \`tiup playground\`; or --database-url mysql://…)`
        : `npx skene plan${planSeed} --at ${STARTER_AT}`,
  ];
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
    next,
  };
}
