#!/usr/bin/env node
/**
 * `skene-language-server --stdio` (or `--node-ipc`, `--socket=<port>`, `--pipe=<name>`): the Skene
 * language server for `skene.config.ts`.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { SERVER_NAME, SERVER_VERSION, startServer } from './server.js';

const args = process.argv.slice(2);
if (args.includes('--version')) {
  process.stdout.write(`${SERVER_NAME} ${SERVER_VERSION}\n`);
  process.exit(0);
}
if (!args.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket=') || a.startsWith('--pipe='))) {
  process.stderr.write(`usage: ${SERVER_NAME} --stdio | --node-ipc | --socket=<port> | --pipe=<name>\n`);
  process.exit(2);
}

const connection = createConnection(ProposedFeatures.all);

// Never down: an error that escapes every handler is logged, not fatal.
process.on('uncaughtException', (error) => connection.console.error(`skene: uncaught ${error.stack ?? error.message}`));
process.on('unhandledRejection', (reason) => connection.console.error(`skene: unhandled rejection ${reason instanceof Error ? reason.stack ?? reason.message : String(reason)}`));

startServer(connection);
