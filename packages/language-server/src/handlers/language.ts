/**
 * Requests about what is under the cursor or in the document: completion, hover, document symbols,
 * go to definition and code lenses. Each answers from the open config's parse (no diagnostics
 * needed), with the project around it.
 */
import { completesOnTrigger } from '@skene/core/language';
import { CompletionTriggerKind } from '../lsp.js';
import { toCodeLens, toCompletionItem, toLocation, toRange, toSymbol } from '../convert.js';
import type { Workspace } from '../workspace.js';

export function registerLanguageFeatures(ws: Workspace): void {
  const { connection } = ws;

  connection.onCompletion(
    ws.guard(
      'completion',
      () => ({ isIncomplete: false, items: [] }),
      (params) => {
        const config = ws.configOf(params.textDocument.uri);
        if (!config) return { isIncomplete: false, items: [] };
        const offset = config.text.offsetAt(params.position);
        const typed = params.context?.triggerKind === CompletionTriggerKind.TriggerCharacter ? params.context.triggerCharacter : undefined;
        if (!completesOnTrigger(config.doc, offset, typed)) return { isIncomplete: false, items: [] };
        const result = ws.services.complete(config.doc, offset, ws.projectOf(params.textDocument.uri));
        return { isIncomplete: false, items: result.items.map((item) => toCompletionItem(config.text, item, ws.client.snippets)) };
      },
    ),
  );

  connection.onHover(
    ws.guard(
      'hover',
      () => null,
      (params) => {
        const config = ws.configOf(params.textDocument.uri);
        if (!config) return null;
        const result = ws.services.hover(config.doc, config.text.offsetAt(params.position), ws.projectOf(params.textDocument.uri));
        return result ? { contents: { kind: 'markdown', value: result.contents }, range: toRange(config.text, result.range) } : null;
      },
    ),
  );

  connection.onDocumentSymbol(
    ws.guard(
      'symbols',
      () => [],
      (params) => {
        const config = ws.configOf(params.textDocument.uri);
        return config ? ws.services.symbols(config.doc).map((s) => toSymbol(config.text, s)) : [];
      },
    ),
  );

  connection.onDefinition(
    ws.guard(
      'definition',
      () => [],
      (params) => {
        const config = ws.configOf(params.textDocument.uri);
        if (!config) return [];
        return ws.services.definition(config.doc, config.text.offsetAt(params.position), ws.projectOf(params.textDocument.uri)).map(toLocation);
      },
    ),
  );

  connection.onCodeLens(
    ws.guard(
      'codeLens',
      () => [],
      (params) => {
        const config = ws.configOf(params.textDocument.uri);
        return config ? ws.services.codeLenses(config.doc).map((lens) => toCodeLens(config.text, lens)) : [];
      },
    ),
  );
}
