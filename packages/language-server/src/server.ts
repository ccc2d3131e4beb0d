/**
 * The Skene language server: a thin layer wiring core's plain language services to LSP.
 *
 * - It only ever parses the config (TypeScript parser): it never executes it, so opening a
 *   repository runs none of its code.
 * - It never goes down: every handler is guarded (./workspace.ts) — a throw is logged
 *   (connection.console.error) and the request answered empty, and the server keeps serving.
 *
 * The handlers, by concern (./handlers/): initialize.ts (handshake, settings), diagnostics.ts
 * (documents and their diagnostics), language.ts (completion, hover, symbols, definition, code
 * lenses), code-actions.ts (quick fixes), commands.ts (workspace/executeCommand). The analysis and
 * language entry points of core only: the server never loads the plan engine, data sources or email
 * rendering (a faster start).
 */
import type { Connection } from 'vscode-languageserver/node';
import { registerCodeActions } from './handlers/code-actions.js';
import { registerCommands } from './handlers/commands.js';
import { registerDiagnostics } from './handlers/diagnostics.js';
import { registerInitialize } from './handlers/initialize.js';
import { registerLanguageFeatures } from './handlers/language.js';
import { Workspace, type ServerHooks } from './workspace.js';

export { SERVER_NAME, SERVER_VERSION, WATCHED_GLOBS } from './handlers/initialize.js';
export type { ServerHooks } from './workspace.js';

export function startServer(connection: Connection, hooks: ServerHooks = {}): void {
  const ws = new Workspace(connection);
  const diagnostics = registerDiagnostics(ws, hooks);
  registerInitialize(ws, diagnostics);
  registerLanguageFeatures(ws);
  registerCodeActions(ws, diagnostics);
  registerCommands(ws);

  connection.onShutdown(() => {
    diagnostics.dispose();
    try {
      hooks.beforeShutdown?.();
    } catch (error) {
      ws.log(`skene: ${String(error)}`);
    }
  });

  ws.documents.listen(connection);
  connection.listen();
}
