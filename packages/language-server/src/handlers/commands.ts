/** workspace/executeCommand: routed to the server-side commands of ../commands.ts. */
import { SERVER_COMMANDS } from '../commands.js';
import type { Workspace } from '../workspace.js';

/** The command ids the server advertises (executeCommandProvider). */
export const COMMAND_IDS = Object.keys(SERVER_COMMANDS);

export function registerCommands(ws: Workspace): void {
  ws.connection.onExecuteCommand(
    ws.guard(
      'executeCommand',
      () => null,
      async (params) => {
        const command = SERVER_COMMANDS[params.command];
        if (!command) throw new Error(`unknown command ${params.command}`);
        return (await command(params.arguments ?? [])) ?? null;
      },
    ),
  );
}
