/**
 * planProject readies the templates while the database opens (plan/rendering.ts): every planned
 * step's template is compiled and the render threads started, one after another, before any step
 * runs; once the database is open, no more start early; and a database that then fails to open
 * leaves no render thread behind — nor one still starting.
 */
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { planProject } from '../../src/index.js';
import { loadConfig } from '../../src/plan/load-config.js';
import { planRendering, readyTemplates } from '../../src/plan/rendering.js';
import { templateCompileCount } from '../../src/email/compile.js';
import { prepareTemplate } from '../../src/email/render.js';
import { renderThreadsAlive } from '../../src/email/render-pool.js';

// Two steps, two React Email templates (re_engagement, session_drop).
const CONFIG = fileURLToPath(new URL('../../../../examples/nestjs-postgres-stripe/skene.config.ts', import.meta.url));

/** A "database" that accepts connections and says nothing until `hangUp` (then closes them). */
async function silentDatabase(t: TestContext): Promise<{ url: string; hangUp(): void }> {
  const sockets = new Set<Socket>();
  let hungUp = false;
  const server = createServer((socket) => (hungUp ? socket.destroy() : sockets.add(socket)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hangUp = () => {
    hungUp = true;
    for (const s of sockets) s.destroy();
  };
  t.after(() => {
    hangUp();
    server.close();
  });
  return { url: `postgres://app@127.0.0.1:${(server.address() as { port: number }).port}/app`, hangUp };
}

async function until(condition: () => boolean, ms = 30_000): Promise<boolean> {
  for (const end = Date.now() + ms; !condition() && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
  return condition();
}

test('while the database opens: every template compiles and every render thread starts; a failed open closes them', async (t) => {
  const db = await silentDatabase(t);
  const compiledBefore = templateCompileCount();
  const threadsBefore = renderThreadsAlive();

  const planned = planProject({ configFile: CONFIG, databaseUrl: db.url, env: {} });
  const outcome = planned.then(
    () => undefined,
    (e: Error) => e,
  );
  assert.ok(await until(() => templateCompileCount() - compiledBefore === 2), 'both steps’ templates compiled before the database answered');
  assert.ok(await until(() => renderThreadsAlive() - threadsBefore === 2), 'both templates’ render threads started before the database answered');
  db.hangUp();

  const error = await outcome;
  assert.ok(error, 'the plan fails: its database hung up');
  assert.ok(await until(() => renderThreadsAlive() === threadsBefore, 5000), 'the render threads started early are closed with the failed plan');
});

test('a database that fails at once: no render thread is left behind', async (t) => {
  const db = await silentDatabase(t);
  db.hangUp(); // every connection is closed as it comes
  const threadsBefore = renderThreadsAlive();
  await assert.rejects(planProject({ configFile: CONFIG, databaseUrl: db.url, env: {} }));
  assert.ok(await until(() => renderThreadsAlive() === threadsBefore, 5000), 'no render thread left behind');
});

test('once the database is open, only the first template’s thread starts early: the others start a step ahead', async (t) => {
  const config = await loadConfig(CONFIG);
  const rendering = planRendering({});
  t.after(() => rendering.renderPools.close());
  const threadsBefore = renderThreadsAlive();

  readyTemplates({ config }, rendering, () => false);
  assert.ok(await until(() => renderThreadsAlive() - threadsBefore === 1), 'the first template’s thread started');
  // Had the second started early, it would have as soon as the first was up (both are compiled by then).
  const first = config.loops[0]!.steps[0]!.action.template;
  const prepared = await prepareTemplate({ emailsDir: join(config.dir, 'emails'), template: first, session: rendering.renderSession });
  assert.equal(prepared.kind, 'react');
  if (prepared.kind === 'react') await rendering.renderPools.renderer({ template: first, file: prepared.file, bundle: prepared.bundle });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(renderThreadsAlive() - threadsBefore, 1, 'one thread: the database was open');
});
