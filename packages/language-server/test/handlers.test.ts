/**
 * The server's handlers wired by startServer, in process: a recording connection stands in for the
 * client (test/lsp/ drives the built server over stdio). Checks the seams between the handler
 * modules: initialize's capabilities, diagnostics feeding code actions, the language requests,
 * and the guard answering a failing service empty.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection } from 'vscode-languageserver/node';
import { SERVER_NAME, startServer } from '../src/server.ts';

type Handler = (params: unknown) => unknown;

/** A connection that records the handlers the server registers and what it sends or logs. */
function recordingConnection() {
  const handlers = new Map<string, Handler>();
  const logs: string[] = [];
  const explicit: Record<string, unknown> = {
    console: { error: (m: string) => logs.push(m) },
    sendDiagnostics: async () => undefined,
    languages: { diagnostics: { on: (h: Handler) => handlers.set('onDiagnostics', h), refresh: async () => undefined } },
    client: { register: async () => ({ dispose() {} }) },
    workspace: { getConfiguration: async () => ({}) },
    listen: () => undefined,
  };
  const connection = new Proxy(explicit, {
    get: (target, name) => {
      if (typeof name !== 'string') return undefined;
      if (name in target) return target[name];
      if (name.startsWith('on'))
        return (h: Handler) => {
          handlers.set(name, h);
          return { dispose() {} };
        };
      return undefined;
    },
  }) as unknown as Connection;
  const call = async (name: string, params: unknown): Promise<any> => {
    const handler = handlers.get(name);
    assert.ok(handler, `no ${name} handler`);
    return handler(params);
  };
  return { connection, call, logs };
}

const URI = 'untitled:/skene.config.ts';
const TEXT = `import { defineLoop } from '@skene/sdk';
export default defineLoop({
  type: 'activation',
  opinion: 'Welcome',
  steps: [{ trigger: { type: 'schedule', cron: '0 9 * * *' }, action: { type: 'email', template: 'welcome', personalisation: {} } }],
});
`;

async function started(initializationOptions: Record<string, unknown> = {}) {
  const client = recordingConnection();
  startServer(client.connection);
  // Pull diagnostics only: no debounced pushes left running after the test.
  const init = await client.call('onInitialize', { capabilities: {}, initializationOptions: { pushDiagnostics: false, ...initializationOptions } });
  await client.call('onDidOpenTextDocument', { textDocument: { uri: URI, languageId: 'typescript', version: 1, text: TEXT } });
  return { ...client, init };
}

test('initialize advertises the handlers the server wires', async () => {
  const { init } = await started();
  assert.equal(init.serverInfo.name, SERVER_NAME);
  const caps = init.capabilities;
  const providers = ['completion', 'hover', 'codeAction', 'documentSymbol', 'definition', 'codeLens', 'diagnostic'].map((p) => `${p}Provider`);
  for (const provider of providers) {
    assert.ok(caps[provider], provider);
  }
  assert.deepEqual(caps.executeCommandProvider.commands, ['skene.copyPrompt']);
});

test('pulled diagnostics feed the code actions; completion answers from the open document', async () => {
  const { call } = await started();
  const report = await call('onDiagnostics', { textDocument: { uri: URI } });
  const typo = report.items.find((d: { code: string }) => d.code === 'SKN001');
  assert.ok(typo, 'SKN001 for personalisation');
  const actions = await call('onCodeAction', { textDocument: { uri: URI }, range: typo.range, context: { diagnostics: [typo] } });
  assert.ok(
    actions.some((a: { title: string }) => a.title.includes('personalization')),
    JSON.stringify(actions.map((a: { title: string }) => a.title)),
  );
  const line = TEXT.split('\n').findIndex((l) => l.includes('steps'));
  const character = TEXT.split('\n')[line]!.indexOf("type: 'schedule', ") + "type: 'schedule', ".length;
  const list = await call('onCompletion', { textDocument: { uri: URI }, position: { line, character } });
  // On the start of `cron`: the key being typed there, so it is offered with the schedule's other key.
  assert.deepEqual(
    list.items.map((i: { label: string }) => i.label),
    ['cron', 'timezone'],
  );
});

test('a failing service is answered empty and logged; the others keep serving', async () => {
  const { call, logs } = await started({ skeneTestFault: 'completion' });
  const list = await call('onCompletion', { textDocument: { uri: URI }, position: { line: 1, character: 0 } });
  assert.deepEqual(list, { isIncomplete: false, items: [] });
  assert.ok(
    logs.some((l) => l.startsWith('skene: completion failed')),
    logs.join('\n'),
  );
  const symbols = await call('onDocumentSymbol', { textDocument: { uri: URI } });
  assert.ok(symbols.length > 0);
});
