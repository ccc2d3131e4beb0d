/** A code lens on each loop: "Plan this loop" and "Copy Skene Prompt" (commands the extension runs). */
import type { ConfigDocument } from '../analysis/document.js';
import { loopInfos } from './symbols.js';
import type { CodeLens } from './types.js';

export function codeLenses(doc: ConfigDocument): CodeLens[] {
  return loopInfos(doc).flatMap(({ id, node }) => {
    const range = { start: node.range.start, end: node.range.start };
    return [
      { range, title: 'Plan this loop', command: 'skene.planLoop' as const, arguments: [id] },
      { range, title: 'Copy Skene Prompt', command: 'skene.copyPrompt' as const, arguments: [] },
    ];
  });
}
