/**
 * The transport's floor for bench/lsp-peer.ts: a language server that does nothing, on the stack
 * Skene's and yaml-language-server's are built on (vscode-jsonrpc over stdio), answering each
 * request at once. What a completion costs above this is the server's own work.
 */
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-languageserver-protocol/node');

const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
connection.onRequest('initialize', () => ({ capabilities: { completionProvider: {} } }));
connection.onRequest('textDocument/completion', () => ({ isIncomplete: false, items: [{ label: 'table' }] }));
connection.onRequest('shutdown', () => null);
connection.onNotification('exit', () => process.exit(0));
connection.listen();
