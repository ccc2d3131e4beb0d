/**
 * The server process once TypeScript is loaded: the connection (stdio, node IPC, socket or pipe,
 * from the command line) wired to startServer. bin.ts calls this from the single-file bundle
 * dist/server.cjs (loaded through a code cache) or, when there is none, from dist/main.js.
 */
import { createConnection, ProposedFeatures } from './lsp.js';
import { startServer, type ServerHooks } from './server.js';
import { createStdioConnection } from './stdio.js';

export function main(hooks: ServerHooks): void {
  // stdio (every editor's default) with one write per message (stdio.ts); the others as the library makes them.
  const stdio = process.argv.includes('--stdio') ? createStdioConnection() : undefined;
  const connection = stdio?.connection ?? createConnection(ProposedFeatures.all);

  // Never down: an error that escapes every handler is logged, not fatal.
  process.on('uncaughtException', (error) => connection.console.error(`skene: uncaught ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) =>
    connection.console.error(`skene: unhandled rejection ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`),
  );

  startServer(connection, {
    ...hooks,
    beforeShutdown: () => {
      stdio?.shutdownReceived();
      hooks.beforeShutdown?.();
    },
  });
}
