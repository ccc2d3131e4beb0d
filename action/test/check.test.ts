/**
 * A broken config: the built action writes `::error file=…,line=…,col=…::` annotations at the
 * config's lines (at most 10 per kind) and fails the step, without a stack trace. Input mistakes
 * fail with a message naming the input.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GitHubDouble } from './github-double.js';
import { pullRequestEvent, ROOT, Runner } from './harness.js';

describe('action: broken config and bad inputs', () => {
  let github: GitHubDouble;
  before(async () => {
    github = await new GitHubDouble().start();
  });
  after(async () => {
    await github.stop();
  });

  test('a broken config: annotations at the right lines, a failed step, no comment', async () => {
    const runner = new Runner();
    try {
      runner.copyExample('hasura', 'app');
      const original = runner.read('app/skene.config.ts');
      const lines = original.split('\n');
      const typeLine = lines.findIndex((l) => /^\s*type: 'retention',/.test(l));
      const cronLine = lines.findIndex((l) => /cron: '0 9 \* \* \*'/.test(l));
      assert.ok(typeLine >= 0 && cronLine >= 0, 'the example has the lines this test breaks');
      lines[typeLine] = lines[typeLine]!.replace("'retention'", "'retension'");
      lines[cronLine] = lines[cronLine]!.replace("'0 9 * * *'", "'0 9 * *'");
      runner.write('app/skene.config.ts', lines.join('\n'));

      const run = await runner.run({
        inputs: { 'working-directory': 'app', 'github-token': 'ghs_installation_token', at: '2026-01-15T09:00:00Z' },
        event: pullRequestEvent(),
        apiUrl: github.url,
      });
      assert.equal(run.status, 1, run.stdout + run.stderr);
      const errors = run.annotations.filter((a) => a.command === 'error');
      const enumError = errors.find((a) => a.properties.title === 'SKN004');
      const cronError = errors.find((a) => a.properties.title === 'SKN010');
      assert.ok(enumError, `an SKN004 annotation in:\n${run.stdout}`);
      assert.ok(cronError, `an SKN010 annotation in:\n${run.stdout}`);
      for (const a of [enumError, cronError]) assert.equal(a.properties.file, 'app/skene.config.ts');
      assert.equal(Number(enumError.properties.line), typeLine + 1);
      assert.equal(Number(enumError.properties.col), lines[typeLine]!.indexOf("'retension'") + 1);
      assert.equal(Number(cronError.properties.line), cronLine + 1);
      assert.equal(Number(cronError.properties.col), lines[cronLine]!.indexOf("'0 9 * *'") + 1);
      assert.match(run.stdout, /^::error title=SKN004,file=app\/skene\.config\.ts,line=\d+,endLine=\d+,col=\d+,endColumn=\d+::SKN004: /m);
      // The step fails with a message, not a stack trace.
      assert.match(run.failure ?? '', /app\/skene\.config\.ts has 2 errors/);
      assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .+:\d+:\d+\)?\n/);
      // The summary lists them; the pull request's one comment says the config fails the check
      // (no plan), never a plan of an earlier commit.
      assert.match(run.summary, /SKN004/);
      assert.match(run.summary, /SKN010/);
      const comments = github.commentsOn(42);
      assert.equal(comments.length, 1);
      assert.match(comments[0]!.body, /does not pass `skene check`[\s\S]*SKN004[\s\S]*SKN010/);
      assert.doesNotMatch(comments[0]!.body, /would be sent/);
      github.clearRequests();
    } finally {
      runner.cleanup();
    }
  });

  test('at most 10 annotations per kind; the summary counts the rest', async () => {
    const runner = new Runner();
    try {
      runner.copyExample('hasura', 'app');
      const original = runner.read('app/skene.config.ts');
      // 12 unknown keys, each on its own line, right after `type: 'retention',`.
      const extra = Array.from({ length: 12 }, (_, i) => `  typo${i + 1}: true,`).join('\n');
      runner.write('app/skene.config.ts', original.replace(/^(\s*type: 'retention',)$/m, `$1\n${extra}`));
      const run = await runner.run({
        inputs: { 'working-directory': 'app', comment: 'off', at: '2026-01-15T09:00:00Z' },
        event: pullRequestEvent(),
        apiUrl: github.url,
      });
      assert.equal(run.status, 1);
      const errors = run.annotations.filter((a) => a.command === 'error');
      assert.equal(errors.length, 10);
      assert.ok(errors.every((a) => a.properties.title === 'SKN001'));
      assert.match(run.failure ?? '', /has 12 errors/);
      assert.match(run.summary, /2 more/);
    } finally {
      runner.cleanup();
    }
  });

  test('a database URL is masked and never printed, even when the connection fails', async () => {
    const runner = new Runner();
    try {
      runner.copyExample('hasura', 'app');
      const password = 's3cr3t-Pa55word';
      const url = `postgres://skene:${password}@127.0.0.1:9/app`;
      const run = await runner.run({
        inputs: { 'working-directory': 'app', 'database-url': url, at: '2026-03-02T09:00:00Z', comment: 'off' },
        event: pullRequestEvent(),
        apiUrl: github.url,
      });
      assert.equal(run.status, 1);
      const masks = run.commands.filter((c) => c.command === 'add-mask').map((c) => c.message);
      assert.ok(masks.includes(url) && masks.includes(password), 'the URL and its password are registered as secrets first');
      const firstMask = run.stdout.indexOf('::add-mask::');
      assert.ok(firstMask >= 0 && run.stdout.slice(0, firstMask).indexOf(password) === -1);
      const printed =
        run.stdout
          .split('\n')
          .filter((l) => !l.startsWith('::add-mask::'))
          .join('\n') +
        run.stderr +
        run.summary;
      assert.ok(!printed.includes(password), `the password leaked:\n${printed}`);
      assert.match(run.failure ?? '', /127\.0\.0\.1/);
      assert.match(run.summary, /## Skene plan failed/);
    } finally {
      runner.cleanup();
    }
  });

  test('a seed that does not run: the step fails with the file and line, and the summary says why', async () => {
    const runner = new Runner();
    try {
      runner.copyExample('hasura', 'app');
      runner.write('app/seed/postgres/003_broken.sql', "INSERT INTO users (id) VALUES ('not a uuid');\n");
      const run = await runner.run({
        inputs: { 'working-directory': 'app', seed: 'seed/postgres', at: '2026-03-02T09:00:00Z', comment: 'off' },
        event: pullRequestEvent(),
        apiUrl: github.url,
      });
      assert.equal(run.status, 1);
      assert.match(run.failure ?? '', /003_broken\.sql:1/);
      assert.match(run.summary, /## Skene plan failed[\s\S]*003_broken\.sql/);
      assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .+:\d+:\d+\)?\n/);
    } finally {
      runner.cleanup();
    }
  });

  test('a missing config and bad inputs fail with a message naming them', async () => {
    const runner = new Runner();
    try {
      runner.copyExample('hasura', 'app');
      const missing = await runner.run({ inputs: { 'working-directory': 'app', config: 'nope.config.ts' }, event: pullRequestEvent(), apiUrl: github.url });
      assert.equal(missing.status, 1);
      assert.match(missing.failure ?? '', /config file not found: app\/nope\.config\.ts/);

      const badMax = await runner.run({ inputs: { 'working-directory': 'app', 'max-emails': 'ten' }, event: pullRequestEvent(), apiUrl: github.url });
      assert.equal(badMax.status, 1);
      assert.match(badMax.failure ?? '', /max-emails must be a whole number/);

      const badAt = await runner.run({ inputs: { 'working-directory': 'app', at: 'yesterday' }, event: pullRequestEvent(), apiUrl: github.url });
      assert.equal(badAt.status, 1);
      assert.match(badAt.failure ?? '', /at must be an ISO 8601 time/);

      const badDir = await runner.run({ inputs: { 'working-directory': 'nowhere' }, event: pullRequestEvent(), apiUrl: github.url });
      assert.equal(badDir.status, 1);
      assert.match(badDir.failure ?? '', /working-directory "nowhere" is not a directory/);
      for (const run of [missing, badMax, badAt, badDir]) assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .+:\d+:\d+\)?\n/);
      assert.deepEqual(github.writes(), []);
    } finally {
      runner.cleanup();
    }
  });
});

describe('action: without the native esbuild (runners other than linux-x64)', () => {
  test('esbuild-wasm compiles the config and the React Email templates: the same plan', async () => {
    const github = await new GitHubDouble().start();
    const runner = new Runner();
    try {
      runner.copyExample('upstash', 'app');
      const run = await runner.run({
        inputs: { 'working-directory': 'app', seed: 'seed/postgres', at: '2026-03-02T09:00:00Z', comment: 'off' },
        event: pullRequestEvent(),
        apiUrl: github.url,
        env: { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' },
        variant: 'wasm',
      });
      assert.equal(run.status, 0, `${run.failure}\n${run.stdout}\n${run.stderr}`);
      assert.equal(run.outputs.emails, '3');
      // The same rendering as the native build's golden (the summary, less the comment line).
      const golden = readFileSync(join(ROOT, 'action', 'test', 'golden', 'upstash.summary.md'), 'utf8');
      assert.equal(run.summary, golden.replace(/^- \*\*Pull-request comment:\*\*.*\n/m, ''));
    } finally {
      runner.cleanup();
      await github.stop();
    }
  });
});

describe('action: a loop that fails while planning', () => {
  test('a query error at run time: summary and comment written, then the step fails naming the loop', async () => {
    const github = await new GitHubDouble().start();
    const runner = new Runner();
    try {
      runner.copyExample('hasura', 'app');
      // Valid SQL that static analysis accepts and PostgreSQL rejects when it runs.
      runner.write('app/skene.config.ts', runner.read('app/skene.config.ts').replace('re_engagement_sent = false', 're_engagement_sent = false AND 1 / 0 = 1'));
      const run = await runner.run({
        inputs: { 'working-directory': 'app', seed: 'seed/postgres', at: '2026-03-02T09:00:00Z' },
        event: pullRequestEvent({ number: 31 }),
        apiUrl: github.url,
        env: { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>' },
      });
      assert.equal(run.status, 1, run.stdout);
      assert.match(run.failure ?? '', /^the plan has 1 error; re-engagement step 1: .*division by zero/);
      assert.match(run.summary, /\[!CAUTION\][\s\S]*division by zero/);
      assert.equal(github.commentsOn(31).length, 1, 'the reviewer still gets the comment');
      assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .+:\d+:\d+\)?\n/);
    } finally {
      runner.cleanup();
      await github.stop();
    }
  });
});
