/** The SQL starter's seed: the users table (and an activity table) holding PEOPLE, idempotent. */
import type { SqlDialect } from '../dialect.js';
import { readableIdent } from '../sql/identifiers.js';
import { PEOPLE } from './people.js';
import { idLiteral, sqlString, type SqlModel } from './sql-model.js';

function idColumnType(model: SqlModel, dialect: SqlDialect): string {
  if (model.idType === 'uuid') return dialect === 'mysql' ? 'CHAR(36)' : 'uuid';
  if (model.idType === 'text') return dialect === 'mysql' ? 'VARCHAR(64)' : 'text';
  return dialect === 'mysql' ? 'BIGINT' : 'integer';
}

export function sqlSeed(model: SqlModel, dialect: SqlDialect, stack: string): string {
  const q = (n: string) => readableIdent(dialect, n);
  const ts = dialect === 'mysql' ? 'DATETIME' : 'timestamptz';
  const idSql = idColumnType(model, dialect);
  const text = dialect === 'mysql' ? 'VARCHAR(255)' : 'text';
  const at = (s: string) => sqlString(dialect === 'mysql' ? s : `${s}+00`);
  // Idempotent, so seeding a database twice (a real MySQL or PostgreSQL given with --database-url) is harmless.
  const insert = dialect === 'mysql' ? 'INSERT IGNORE INTO' : 'INSERT INTO';
  const conflict = dialect === 'mysql' ? '' : '\nON CONFLICT DO NOTHING';
  const cols: [string, string][] = [
    [model.id, `${idSql} PRIMARY KEY`],
    [model.email, `${text} NOT NULL`],
  ];
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
