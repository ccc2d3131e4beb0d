/** The SQL starter's loop: a welcome on sign-up, or a daily re-engagement of idle users. */
import type { LoopType } from '@skene/sdk';
import type { SqlDialect } from '../dialect.js';
import { readableIdent } from '../sql/identifiers.js';
import { RECOVERY, resendEmail, type LoopParts } from './loop.js';
import { AT, count, DAY, dormant, isScheduled, ms, PEOPLE } from './people.js';
import type { SqlModel } from './sql-model.js';
import { SQL_WELCOME, sqlReEngagement } from './templates.js';

const DAILY = { type: 'schedule', cron: '0 9 * * *', note: 'daily at 09:00 UTC' } as const;

export function sqlLoop(model: SqlModel, dialect: SqlDialect, pattern: LoopType): LoopParts {
  if (isScheduled(pattern)) return reEngagementLoop(model, dialect, pattern);
  return model.isUsers || !model.created ? welcomeOnInsert(model, pattern) : welcomeDaily(model, dialect, pattern, model.created);
}

/** SQL bits every loop of the model writes the same way. */
function sqlOf(model: SqlModel, dialect: SqlDialect) {
  const q = (n: string) => readableIdent(dialect, n);
  const since = (days: number) => (dialect === 'mysql' ? `NOW() - INTERVAL ${days} DAY` : `NOW() - INTERVAL '${days} day${days === 1 ? '' : 's'}'`);
  /** The recipient's id, `email` and `name` (aliased when the columns are named otherwise). */
  const recipientColumns = (alias: string) => {
    const cols = [`${alias}.${q(model.id)}`, model.email === 'email' ? `${alias}.${q(model.email)}` : `${alias}.${q(model.email)} AS email`];
    if (model.name) cols.push(model.name === 'name' ? `${alias}.${q(model.name)}` : `${alias}.${q(model.name)} AS name`);
    return cols;
  };
  return { q, since, recipientColumns };
}

/**
 * The users live in a table other than `users` (Supabase's `profiles`): a database trigger's
 * `user` is the `users` row, so welcome the day's sign-ups on a schedule, one recipient per row.
 */
function welcomeDaily(model: SqlModel, dialect: SqlDialect, pattern: LoopType, created: string): LoopParts {
  const { q, since, recipientColumns } = sqlOf(model, dialect);
  return {
    loop: {
      id: 'welcome',
      type: pattern,
      opinion: 'Each morning, welcome the users who signed up since yesterday and point them to their first key action',
      step: {
        trigger: DAILY,
        condition: {
          type: 'query',
          query: `SELECT ${recipientColumns('p').join(', ')} FROM ${q(model.table)} p WHERE p.${q(created)} >= ${since(1)}`,
          timeout: '1m',
        },
        action: resendEmail('welcome', { name: `{{user.${model.name ? 'name' : 'email'}}}` }),
      },
      recovery: RECOVERY,
    },
    template: SQL_WELCOME,
    expected: { emails: count((p) => ms(p.created) >= AT - DAY), waiting: 0 },
  };
}

/** A new row in the users table: welcome them. `user` is the row itself when the table is `users`. */
function welcomeOnInsert(model: SqlModel, pattern: LoopType): LoopParts {
  const ctx = model.isUsers ? 'user' : 'row';
  const to = `{{${ctx}.${model.email}}}`;
  return {
    loop: {
      id: 'welcome',
      type: pattern,
      opinion: 'Welcome every new user and point them to their first key action',
      step: {
        trigger: { type: 'database', table: model.table, event: 'insert' },
        // `to` defaults to `{{user.email}}`: written only when the address is elsewhere.
        action: resendEmail('welcome', { name: `{{${ctx}.${model.name ?? model.email}}}` }, model.isUsers && model.email === 'email' ? undefined : to),
      },
      recovery: RECOVERY,
    },
    template: SQL_WELCOME,
    expected: { emails: PEOPLE.length, waiting: 0 },
  };
}

/** A daily schedule: the query returns the recipients, one row per user, with an `email` column. */
function reEngagementLoop(model: SqlModel, dialect: SqlDialect, pattern: LoopType): LoopParts {
  const { q, since, recipientColumns } = sqlOf(model, dialect);
  const interval = since(7);
  const select = recipientColumns('u');
  let where: string;
  let lastActivity = false;
  if (model.activity?.kind === 'column') {
    const column = model.activity.column;
    select.push(column === 'last_activity_at' ? `u.${q(column)}` : `u.${q(column)} AS last_activity_at`);
    where = `u.${q(column)} < ${interval}`;
    lastActivity = true;
  } else if (model.activity?.kind === 'table') {
    const a = model.activity;
    where = `NOT EXISTS (SELECT 1 FROM ${q(a.table)} a WHERE a.${q(a.userId)} = u.${q(model.id)} AND a.${q(a.at)} > ${interval})`;
  } else if (model.created) {
    select.push(`u.${q(model.created)} AS created_at`);
    where = `u.${q(model.created)} < ${interval}`;
  } else {
    where = '1 = 1';
  }
  const personalization: Record<string, string> = { name: `{{user.${model.name ? 'name' : 'email'}}}` };
  if (lastActivity) personalization.lastActivity = '{{user.last_activity_at}}';
  const recipients = model.activity ? count(dormant) : model.created ? count((p) => ms(p.created) < AT - 7 * DAY) : PEOPLE.length;
  return {
    loop: {
      id: 're-engagement',
      type: pattern,
      opinion: model.activity ? 'Re-engage users who have been idle for 7 days' : 'Check in with users a week after they sign up',
      step: {
        trigger: DAILY,
        condition: { type: 'query', query: `SELECT ${select.join(', ')} FROM ${q(model.table)} u WHERE ${where}`, timeout: '1m' },
        action: resendEmail('re_engagement', personalization),
      },
      recovery: RECOVERY,
    },
    template: sqlReEngagement(lastActivity),
    expected: { emails: recipients, waiting: 0 },
  };
}
