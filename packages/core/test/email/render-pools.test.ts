/**
 * A plan's render threads (render-pools.ts): steps that ask for one template's renderer at the
 * same moment — a step's early start and the step before it — share one thread, and a closed
 * plan leaves no thread behind, nor starts one.
 */
import '../../src/email/react-production.js'; // the React build renders use, chosen before React loads
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadTemplate } from '../../src/email/compile.js';
import { RenderPools } from '../../src/email/render-pools.js';
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
