/**
 * What the detected schema says about users and their activity: which table holds users, which
 * column is their email and name, and where activity is recorded. Used by the prompt (to point
 * Cursor at real names) and by the starter config `skene init` writes.
 */
import type { DetectedColumn, DetectedTable } from '../detect/types.js';

export interface UserSchemaHints {
  /** The users table, when one with an email column was found. */
  users?: DetectedTable;
  email?: string;
  name?: string;
  createdAt?: string;
  /** A column of the users table that records the last activity. */
  activityColumn?: string;
  /** A table of per-user events (`user_id` and a timestamp), when there is no activity column. */
  activityTable?: { table: DetectedTable; userId: string; at: string; kind?: string };
}

const USER_TABLES = ['users', 'user', 'app_users', 'accounts', 'account', 'profiles', 'profile', 'customers', 'members'];
const EMAIL_COLUMNS = ['email', 'email_address', 'emailAddress', 'primary_email'];
const NAME_COLUMNS = ['name', 'full_name', 'fullName', 'display_name', 'displayName', 'first_name', 'firstName', 'username', 'user_name'];
const CREATED_COLUMNS = ['created_at', 'createdAt', 'inserted_at', 'signed_up_at', 'created'];
const ACTIVITY_COLUMNS = [
  'last_activity_at',
  'lastActivityAt',
  'last_active_at',
  'lastActiveAt',
  'last_seen_at',
  'lastSeenAt',
  'last_login_at',
  'lastLoginAt',
  'last_sign_in_at',
  'last_signed_in_at',
];
const ACTIVITY_TABLES = [
  'user_actions',
  'events',
  'user_events',
  'activities',
  'activity',
  'activity_log',
  'sessions',
  'page_views',
  'usage',
  'usage_events',
  'logins',
  'audit_log',
];
const USER_ID_COLUMNS = ['user_id', 'userId', 'account_id', 'profile_id', 'owner_id'];
const AT_COLUMNS = ['created_at', 'createdAt', 'occurred_at', 'occurredAt', 'timestamp', 'at', 'inserted_at', 'started_at', 'last_seen_at'];
const KIND_COLUMNS = ['action_type', 'actionType', 'type', 'event', 'event_type', 'name', 'action'];

const pick = (columns: DetectedColumn[], names: string[]) => names.find((n) => columns.some((c) => c.name === n));

export function userSchemaHints(tables: DetectedTable[]): UserSchemaHints {
  const byName = (n: string) => tables.find((t) => t.name === n);
  const users = USER_TABLES.map(byName).find((t) => t && pick(t.columns, EMAIL_COLUMNS));
  if (!users) return {};
  const hints: UserSchemaHints = {
    users,
    email: pick(users.columns, EMAIL_COLUMNS),
    name: pick(users.columns, NAME_COLUMNS),
    createdAt: pick(users.columns, CREATED_COLUMNS),
    activityColumn: pick(users.columns, ACTIVITY_COLUMNS),
  };
  for (const name of ACTIVITY_TABLES) {
    const table = byName(name);
    if (!table) continue;
    const userId = pick(table.columns, USER_ID_COLUMNS);
    const at = pick(table.columns, AT_COLUMNS);
    if (userId && at) {
      hints.activityTable = { table, userId, at, kind: pick(table.columns, KIND_COLUMNS) };
      break;
    }
  }
  return hints;
}
