/**
 * planProject readies the first step's template while the database opens (plan/rendering.ts):
 * the template is compiled and its render thread started before any step runs, and a database
 * that then fails to open leaves no render thread behind.
 */
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { planProject } from '../../src/index.js';
import { templateCompileCount } from '../../src/email/compile.js';
import { renderThreadsAlive } from '../../src/email/render-pool.js';

const CONFIG = fileURLToPath(new URL('../../../../examples/hasura/skene.config.ts', import.meta.url));

test('a database that fails after a while: the template was compiled meanwhile, and no render thread outlives the plan', async (t) => {
  // A "database" that accepts the connection, says nothing for 1.5 s, then hangs up.
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    setTimeout(() => socket.destroy(), 1500);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const port = (server.address() as { port: number }).port;
  const compiledBefore = templateCompileCount();
  const threadsBefore = renderThreadsAlive();

  await assert.rejects(planProject({ configFile: CONFIG, databaseUrl: `postgres://app@127.0.0.1:${port}/app`, env: {} }), /Connection terminated|ECONNRESET|closed/i);
  assert.equal(templateCompileCount() - compiledBefore, 1, 'the first step’s template compiled while the database was opening');
  for (let i = 0; i < 100 && renderThreadsAlive() !== threadsBefore; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(renderThreadsAlive(), threadsBefore, 'the render thread started early is closed with the failed plan');
});
