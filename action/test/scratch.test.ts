/**
 * `seed` with `database-url`: the built action never seeds the database the URL names. The head's
 * plan and the base's (compare-base) each seed their own scratch database on that server, which
 * is dropped afterwards; the URL's database is unchanged, and the summary says where it planned.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { serviceOrSkip } from '../../test/helpers/services.js';
import { tempPostgresDatabase } from '../../packages/core/test/plan/helpers.js';
import { GitHubDouble } from './github-double.js';
import { pullRequestEvent, Runner } from './harness.js';

const GIT_ENV = { GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' };

function commit(cwd: string, message: string, date: string): string {
  execFileSync('git', ['add', '.'], { cwd });
  execFileSync('git', ['commit', '-q', '-m', message], { cwd, env: { ...process.env, ...GIT_ENV, GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date } });
  return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('action: seed with database-url plans in scratch databases', () => {
  let github: GitHubDouble;
  before(async () => {
    github = await new GitHubDouble().start();
  });
  after(async () => {
    await github.stop();
  });

  test("compare-base: the head and the base each seed a scratch database, dropped after; the URL's database is unchanged", async (t) => {
    const server = await serviceOrSkip(t, 'postgres');
    if (!server) return;
    const url = await tempPostgresDatabase(t, server, 'skene_action_target');
    const database = new URL(url).pathname.slice(1);
    // If the example's seed ran here, its tables would appear beside this one.
    await query(url, "CREATE TABLE canary (id integer PRIMARY KEY, note text); INSERT INTO canary VALUES (1, 'production data')");
    const state = async () =>
      JSON.stringify([await query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"), await query(url, 'SELECT * FROM canary')]);
    const before = await state();
    const scratch = async () =>
      (await query<{ datname: string }>(server, "SELECT datname FROM pg_database WHERE datname LIKE 'skene\\_scratch\\_%'")).map((r) => r.datname);
    const scratchBefore = await scratch();

    const runner = new Runner();
    try {
      runner.copyExample('nestjs-postgres-stripe', 'app');
      const ws = runner.workspace;
      execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: ws });
      const baseSha = commit(ws, 'base', '2026-03-01T12:00:00Z');
      runner.write(
        'app/skene.config.ts',
        runner.read('app/skene.config.ts').replace("last_activity_at < NOW() - INTERVAL '7 days'", "last_activity_at < NOW() - INTERVAL '14 days'"),
      );
      const headSha = commit(ws, 'head', '2026-03-02T09:00:00Z');

      const run = await runner.run({
        inputs: { 'working-directory': 'app', seed: 'seed/postgres', 'database-url': url, 'compare-base': 'true', comment: 'off' },
        event: pullRequestEvent({ number: 23, baseSha, headSha }),
        apiUrl: github.url,
        env: { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' },
      });
      assert.equal(run.status, 0, `${run.failure}\n${run.stdout}`);
      const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8')) as {
        source: { label: string };
        warnings: string[];
        comparison?: { removed: string[] };
      };
      assert.ok(report.comparison && report.comparison.removed.length > 0, 'the base was planned (on its own scratch database) and compared');
      const label = `a scratch database on postgres://postgres@127.0.0.1:5432 (seeded, dropped after the plan; database ${database} not touched)`;
      assert.equal(report.source.label, label);
      // The summary escapes Markdown in values (`\@`, `\://`, `\_`): read it unescaped.
      const summary = run.summary.replace(/\\([\\`*_{}[\]()#+\-.!|<>@:~])/g, '$1').replace(/\u200b/g, '');
      assert.ok(summary.includes(`**Database:** ${label}, seeded from \`seed/postgres\``), run.summary);
      // Connected as a superuser: the report says so.
      assert.ok(
        report.warnings.some((w) => w.startsWith('connected as role postgres, a superuser')),
        JSON.stringify(report.warnings),
      );
    } finally {
      runner.cleanup();
    }
    assert.equal(await state(), before);
    // Another test may be planning right now (its scratch database lives seconds): ours never would be gone.
    let left: string[] = [];
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
      left = (await scratch()).filter((n) => !scratchBefore.includes(n));
      if (!left.length) break;
    }
    assert.deepEqual(left, []);
  });
});
