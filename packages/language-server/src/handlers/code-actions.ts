/** textDocument/codeAction: the quick fixes of the diagnostics in the requested range. */
import type { CodeAction } from 'vscode-languageserver/node';
import { CodeActionKind } from '../lsp.js';
import { fromRange, toCodeAction, toDiagnostic } from '../convert.js';
import type { Workspace } from '../workspace.js';
import type { DiagnosticsHandlers } from './diagnostics.js';

export function registerCodeActions(ws: Workspace, diagnostics: DiagnosticsHandlers): void {
  ws.connection.onCodeAction(
    ws.guard(
      'codeAction',
      () => [],
      async (params) => {
        if (params.context.only && !params.context.only.some((k) => CodeActionKind.QuickFix.startsWith(k))) return [];
        // The fixes come with the diagnostics: the same ones the client was sent for this version.
        const result = await diagnostics.diagnosticsOf(params.textDocument.uri);
        if (!result) return [];
        const actions = ws.services.codeActions(result.doc, result.diagnostics, fromRange(result.text, params.range));
        return actions
          .map((a) => toCodeAction(result.text, a, toDiagnostic(result.text, a.diagnostic), ws.client.edits))
          .filter((a): a is CodeAction => a !== undefined);
      },
    ),
  );
}
