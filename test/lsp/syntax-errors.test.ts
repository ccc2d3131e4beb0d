/**
 * In the editor, plain TypeScript syntax errors are TypeScript's to show: the server reported each a
 * second time as SKN006 (issue 18 §4.2). `skene check` still reports them (test/cli/check.test.ts).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { codes, REPO, serverBuilt, startServer } from './lsp-client.ts';

const skip = serverBuilt() ? false : 'the server is not built: run `npm run build` (npm test does)';

const BROKEN = `import { defineLoop } from '@skene/sdk';
export default defineLoop({
  type: 'activation',
  opinon: 'Welcome',
  steps: [{ trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 'activation_welcome' } }],
});
const note = 'unterminated
`;

test('a file that does not parse: Skene says what only it can, TypeScript keeps its syntax errors', { skip }, async () => {
  const server = await startServer();
  try {
    const uri = pathToFileURL(join(REPO, 'test/lsp/fixtures/app/skene.config.ts')).href;
    const pushed = server.nextDiagnostics(uri);
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: BROKEN } });
    // The typo (SKN001) and the opinion it leaves missing (SKN002); no SKN006 for the string.
    assert.deepEqual(codes((await pushed).diagnostics), ['SKN001', 'SKN002']);
    const pulled = (await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: Diagnostic[] };
    assert.deepEqual(codes(pulled.items), ['SKN001', 'SKN002']);
  } finally {
    await server.stop();
  }
});
