/**
 * Language services for `skene.config.ts`: plain functions over a parsed ConfigDocument (offsets
 * in, plain data out). No editor protocol here — packages/language-server wires them to LSP.
 */
export * from './types.js';
export { complete } from './completion.js';
export { completesOnTrigger, COMPLETION_TRIGGER_CHARACTERS } from './trigger.js';
export { hover, type HoverOptions } from './hover.js';
export { codeActions } from './code-actions.js';
export { QUICK_FIXES, type QuickFix } from './quick-fixes/index.js';
export { symbols, loopInfos, type LoopInfo } from './symbols.js';
export { definition } from './definition.js';
export { codeLenses } from './code-lens.js';
export { cursorContext, type CursorContext } from './cursor.js';
export { cronInWords, durationInWords, nextOccurrences, CRON_PRESETS, DURATION_PRESETS } from './words.js';
