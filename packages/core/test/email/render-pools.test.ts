/**
 * A plan's render threads (render-pools.ts): steps that ask for one template's renderer at the
 * same moment — a step's early start and the step before it — share one thread, and a closed
 * plan leaves no thread behind, nor starts one. Emails filled from a thread's values are what
 * React renders in this thread, whatever a batch holds.
 */
import '../../src/email/react-production.js'; // the React build renders use, chosen before React loads
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTemplate } from '../../src/email/compile.js';
import { renderBundle } from '../../src/email/render.js';
import { emailsFilled, RenderPools } from '../../src/email/render-pools.js';
import { renderThreadsAlive } from '../../src/email/render-pool.js';

const file = fileURLToPath(new URL('../../../../examples/hasura/emails/re_engagement.tsx', import.meta.url));

async function threadsSettle(expected: number): Promise<number> {
  for (let i = 0; i < 100 && renderThreadsAlive() !== expected; i++) await new Promise((r) => setTimeout(r, 20));
  return renderThreadsAlive();
}

test('two steps asking at once for one template share one render thread, and close leaves none', async () => {
  const { bundle } = await loadTemplate(file, 're_engagement');
  const before = renderThreadsAlive();
  const pools = new RenderPools(undefined);
  const template = { template: 're_engagement', file, bundle };
  const [first, second] = await Promise.all([pools.renderer(template), pools.renderer(template), pools.renderer(template)]);
  assert.equal(renderThreadsAlive() - before, 1, 'one thread for the template, however many asked');
  const props = { user: { email: 'ada@example.com', name: 'Ada' } };
  const [a] = await first!.renderMany([{ props, subject: 'Hi' }]);
  const [b] = await second!.renderMany([{ props, subject: 'Hi' }]);
  assert.ok(a && 'html' in a && b && 'html' in b);
  assert.equal(a.html, b.html);
  await pools.close();
  assert.equal(await threadsSettle(before), before, 'a closed plan leaves no render thread');
  await assert.rejects(pools.renderer(template), /the plan has ended/);
  assert.equal(renderThreadsAlive(), before);
});

test('renderers still starting when the plan closes: stopped, not waited for, and no thread outlives it', async () => {
  const { bundle } = await loadTemplate(file, 're_engagement');
  const before = renderThreadsAlive();
  const pools = new RenderPools(undefined);
  const template = { template: 're_engagement', file, bundle };
  const asked = Promise.allSettled([pools.renderer(template)]);
  const late = Promise.allSettled([pools.renderer(template)]); // waits on the starting thread, then finds the plan closed
  await pools.close();
  const [[askedOutcome], [lateOutcome]] = await Promise.all([asked, late]);
  // Both were still starting when the plan closed: the thread is stopped, not waited for.
  for (const outcome of [askedOutcome, lateOutcome]) {
    assert.equal(outcome?.status, 'rejected');
    assert.match(String((outcome as PromiseRejectedResult).reason), /the plan has ended/);
  }
  assert.equal(await threadsSettle(before), before);
});

test('a batch whose emails differ (props named otherwise, values the fill declines, missing values): each is what React renders here', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-pools-'));
  const variant = join(dir, 're_engagement.tsx');
  // The subject from a text with placeholders, one of which no email has (`nickname`): missing
  // values travel back beside the slot values.
  writeFileSync(
    variant,
    readFileSync(file, 'utf8').replace(/export const subject = .*\n/, "export const subject = 'Since {{lastActivity}}, {{name}}{{nickname}}';\n"),
  );
  const { bundle } = await loadTemplate(variant, 're_engagement');
  const here = renderBundle(variant, 're_engagement', bundle);
  const pools = new RenderPools(undefined);
  try {
    const renderer = await pools.renderer({ template: 're_engagement', file: variant, bundle });
    const emails = [
      { props: { name: 'Ada', lastActivity: '2026-02-01T10:00:00Z' } },
      { props: { name: 'Grace', lastActivity: '' } },
      { props: { lastActivity: '2026-02-03T10:00:00Z', name: 'Linus' } }, // named in another order
      { props: { name: '', lastActivity: '2026-02-04T10:00:00Z' } }, // an empty text: React renders it
      { props: { name: 'Barbara' } }, // fewer props
      { props: { name: 'Edsger', lastActivity: '2026-02-05T10:00:00Z', extra: 'x' }, subject: 'From the action' },
      { props: { name: 'Zoë <O\u2019Brien> & "Co"', lastActivity: '' } },
    ];
    const filledBefore = emailsFilled();
    const outcomes = await renderer.renderMany(emails);
    assert.ok(emailsFilled() - filledBefore >= 3, 'the emails named like the first are filled');
    for (const [i, { props, subject }] of emails.entries()) {
      const expected = await here.render(props, subject);
      const outcome = outcomes[i]!;
      assert.ok(!('failed' in outcome), `email ${i}`);
      assert.equal(outcome.html, expected.html, `email ${i}`);
      assert.equal(outcome.text, expected.text, `email ${i}`);
      assert.equal(outcome.subject, expected.subject, `email ${i}`);
      assert.deepEqual(outcome.missing, expected.missing, `email ${i}`);
    }
    assert.deepEqual(outcomes[1] && 'missing' in outcomes[1] && outcomes[1].missing, ['nickname']);
  } finally {
    await pools.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
