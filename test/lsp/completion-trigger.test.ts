/**
 * Completion opened by a typed character, over stdio as an editor asks for it (issue 18 §4.1):
 * typing `{` inside `steps: [` must not open a list (Enter then inserted `{trigger: }` instead of
 * a new line); Ctrl+Space there still offers the keys; `{{` and `{{user.` in a string still complete.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CompletionList } from 'vscode-languageserver-protocol';
import { cursor, positionAt, REPO, serverBuilt, startServer, type Server } from './lsp-client.ts';

const FIXTURE = join(REPO, 'test/lsp/fixtures/app');
const skip = serverBuilt() ? false : 'the server is not built: run `npm run build` (npm test does)';

const INVOKED = 1;
const TRIGGER_CHARACTER = 2;

const loop = (steps: string) => `import { defineLoop } from '@skene/sdk';
export default defineLoop({
  type: 'activation',
  opinion: 'Welcome',
  steps: [${steps}],
});
`;

describe('completion opened by a typed character', { skip }, () => {
  let server: Server;
  let version = 1;
  const uri = pathToFileURL(join(FIXTURE, 'skene.config.ts')).href;

  before(async () => {
    server = await startServer({ initializationOptions: { pushDiagnostics: false } });
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version, text: loop('') } });
  });
  after(() => server.stop());

  /** Replaces the document with `marked` and asks for completion at `|`, as `context` says it was asked. */
  async function labels(marked: string, context: { triggerKind: number; triggerCharacter?: string }): Promise<string[]> {
    const { text, offset } = cursor(marked);
    await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ text }] });
    const list = (await server.connection.sendRequest('textDocument/completion', {
      textDocument: { uri },
      position: positionAt(text, offset),
      context,
    })) as CompletionList;
    return list.items.map((i) => i.label);
  }

  test('typing { inside steps: [ opens nothing; Ctrl+Space there offers the step keys', async () => {
    assert.deepEqual(await labels(loop('{|}'), { triggerKind: TRIGGER_CHARACTER, triggerCharacter: '{' }), []);
    assert.deepEqual(await labels(loop('{|'), { triggerKind: TRIGGER_CHARACTER, triggerCharacter: '{' }), []);
    const keys = await labels(loop('{|}'), { triggerKind: INVOKED });
    assert.ok(keys.includes('trigger') && keys.includes('action'), keys.join(', '));
  });

  test('{{ and {{user. in a string still complete when typed', async () => {
    const step = (subject: string) =>
      `{ trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'activation_welcome', subject: '${subject}' } }`;
    const roots = await labels(loop(step('Hi {{|')), { triggerKind: TRIGGER_CHARACTER, triggerCharacter: '{' });
    assert.ok(roots.includes('user') && roots.includes('row'), roots.join(', '));
    const columns = await labels(loop(step('Hi {{user.|')), { triggerKind: TRIGGER_CHARACTER, triggerCharacter: '.' });
    assert.ok(columns.includes('email') && columns.includes('name'), columns.join(', '));
  });
});
