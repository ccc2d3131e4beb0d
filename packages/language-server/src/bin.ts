#!/usr/bin/env node
/**
 * `skene-language-server --stdio` (or `--node-ipc`, `--socket=<port>`, `--pipe=<name>`): the Skene
 * language server for `skene.config.ts`.
 */
import { preloadTypeScript } from './code-cache.js';

const args = process.argv.slice(2);
if (args.includes('--version')) {
  process.stdout.write('skene-language-server 0.1.0\n');
  process.exit(0);
}
if (!args.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket=') || a.startsWith('--pipe='))) {
  process.stderr.write('usage: skene-language-server --stdio | --node-ipc | --socket=<port> | --pipe=<name>\n');
  process.exit(2);
}

// Before anything imports @skene/core (which loads TypeScript): see ./code-cache.ts.
const codeCache = preloadTypeScript(() => import.meta.resolve('@skene/core/analysis'));

const { createConnection, ProposedFeatures } = await import('vscode-languageserver/node');
const { startServer } = await import('./server.js');

const connection = createConnection(ProposedFeatures.all);

// Never down: an error that escapes every handler is logged, not fatal.
process.on('uncaughtException', (error) => connection.console.error(`skene: uncaught ${error.stack ?? error.message}`));
process.on('unhandledRejection', (reason) => connection.console.error(`skene: unhandled rejection ${reason instanceof Error ? reason.stack ?? reason.message : String(reason)}`));

startServer(connection, {
  // Once the parser has run, its compiled code goes into the cache too; written off the hot path.
  afterFirstAnalysis: () => setTimeout(() => codeCache.save(), 2000).unref(),
  beforeShutdown: () => codeCache.save(),
});
