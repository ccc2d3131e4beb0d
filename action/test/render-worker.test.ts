/**
 * The built action ships core's React Email render worker (dist/render-worker.js, which core
 * starts beside dist/index.js for big plans, handing it the template it compiled). Run from an
 * installed copy of dist/ (no repository node_modules above it), it must render exactly what
 * core renders in-process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { prepareRenderer, renderEmail } from '@skene/core';
import { EXAMPLES, installedDist } from './harness.js';

test('dist/render-worker.js renders the example template as core does', async (t) => {
  const emailsDir = join(EXAMPLES, 'hasura', 'emails');
  const compiled = await prepareRenderer({ emailsDir, template: 're_engagement' });
  const worker = new Worker(join(dirname(installedDist()), 'render-worker.js'), {
    workerData: { skeneRenderWorker: true, file: compiled.file, template: 're_engagement', bundle: compiled.bundle },
  });
  t.after(() => worker.terminate());
  const messages: unknown[] = [];
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      if (messages.length) return resolve(messages.shift());
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  // Up (React loaded), then the template's module loaded: the pool times the two apart.
  assert.deepEqual(await next(), { loading: true });
  // Ready, with the proof that the template can be filled by substitution (core's react-fill.ts):
  // the Hasura template passes it in core, so it must in the bundled worker too.
  const ready = (await next()) as { ready: boolean; shape?: { ok: boolean } };
  assert.equal(ready.ready, true);
  assert.equal(ready.shape?.ok, true, 'the bundled render worker proves the Hasura template fillable, as core does');

  const jobs = [
    { props: { name: 'Noor Rahman', lastActivity: '2026-02-10T14:22:00.000Z' } },
    { props: { name: "Zoë <O'Brien>", lastActivity: 'not a date' }, subject: 'Come back' },
  ];
  worker.postMessage({ id: 7, jobs });
  const reply = (await next()) as { id: number; results: { html: string; text: string; subject?: string; missing: string[] }[] };
  assert.equal(reply.id, 7);
  assert.equal(reply.results.length, 2);
  for (const [i, job] of jobs.entries()) {
    const expected = await renderEmail({ emailsDir, template: 're_engagement', props: job.props, subject: job.subject });
    assert.deepEqual(reply.results[i], { html: expected.html, text: expected.text, subject: expected.subject, missing: expected.missing });
  }
  assert.equal(reply.results[1]!.subject, 'Come back');
});
