import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRenderSession, renderEmail } from '@skene/core';

test('a render session reads each template once; renders outside it see edits', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-session-'));
  mkdirSync(join(dir, 'emails'));
  const file = join(dir, 'emails', 'hello.html');
  writeFileSync(file, '<p>Hello {{name}}</p>');
  const emailsDir = join(dir, 'emails');
  const session = createRenderSession();

  const first = await renderEmail({ emailsDir, template: 'hello', props: { name: 'Ada' }, session });
  writeFileSync(file, '<p>Goodbye {{name}}, a longer body</p>');
  const inSession = await renderEmail({ emailsDir, template: 'hello', props: { name: 'Bo' }, session });
  const outside = await renderEmail({ emailsDir, template: 'hello', props: { name: 'Bo' } });

  assert.match(first.html, /Hello Ada/);
  assert.match(inSession.html, /Hello Bo/, 'the session kept the template it read first');
  assert.match(outside.html, /Goodbye Bo/, 'without a session the edit is seen');
});

test('a missing template fails every render of the session with the same clear error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-session-'));
  mkdirSync(join(dir, 'emails'));
  const session = createRenderSession();
  for (let i = 0; i < 3; i++) {
    await assert.rejects(renderEmail({ emailsDir: join(dir, 'emails'), template: 'nope', props: {}, session }), /email template "nope" not found/);
  }
});
