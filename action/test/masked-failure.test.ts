/**
 * A plan that fails before it has a report (a seed the database refuses) fails the step with the
 * database's message, which may quote the data: in the step's failure and in the failure summary,
 * addresses are masked unless `show-recipients` is set, like every other output of the action.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runner } from './harness.js';

// The columns the Hasura loop reads, so the static check (which reads this same seed) passes and
// the plan is what fails, on line 2.
const SEED =
  'CREATE TABLE users (id integer PRIMARY KEY, email text, name text, last_activity_at timestamptz, re_engagement_sent boolean);\n' +
  "INSERT INTO users VALUES ('Noor.Rahman@Example.com', 'x');\n";

for (const shown of [false, true]) {
  test(`a seed error quoting an address: ${shown ? 'shown with show-recipients' : 'masked in the failure and the summary'}`, async () => {
    const runner = new Runner();
    try {
      runner.copyExample('hasura', 'app');
      runner.write('app/bad-seed.sql', SEED);
      const inputs: Record<string, string> = { 'working-directory': 'app', seed: 'bad-seed.sql', at: '2026-03-02T09:00:00Z', comment: 'off' };
      if (shown) inputs['show-recipients'] = 'true';
      const run = await runner.run({ inputs, eventName: 'push' });
      assert.equal(run.status, 1, run.stdout + run.stderr);
      assert.match(run.failure ?? '', /bad-seed\.sql:2 failed: invalid input syntax for type integer/, run.stdout);
      assert.match(run.summary, /## Skene plan failed[\s\S]*invalid input syntax/);
      const everything = run.stdout + run.stderr + run.summary + JSON.stringify(run.outputs);
      if (shown) {
        assert.match(run.failure!, /"Noor\.Rahman@Example\.com"/);
      } else {
        assert.match(run.failure!, /"N\*\*\*@Example\.com"/);
        assert.doesNotMatch(everything, /noor/i);
      }
    } finally {
      runner.cleanup();
    }
  });
}
