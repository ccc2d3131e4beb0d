/**
 * Which typed characters open completion by themselves. An editor asks for completion when one of
 * these is typed, but the protocol cannot say "only in strings": `{` opens an object far more often
 * than a `{{placeholder}}`, and a list opened there made Enter insert `{trigger: }` instead of a new
 * line. So a completion asked for because `{` was typed is answered only for the second brace of
 * `{{` inside a string (the placeholder roots); everywhere else keys come on Ctrl+Space or as a
 * name is typed.
 */
import type { ConfigDocument } from '../analysis/document.js';
import { cursorContext } from './cursor.js';

/** The characters a server advertises as completion triggers (LSP `triggerCharacters`). */
export const COMPLETION_TRIGGER_CHARACTERS = ['.', '{', "'", '"', '`'];

/** Whether completion asked for because `character` was typed at `offset` should answer at all. */
export function completesOnTrigger(doc: ConfigDocument, offset: number, character: string | undefined): boolean {
  if (character !== '{') return true;
  if (doc.text.slice(Math.max(0, offset - 2), offset) !== '{{') return false;
  const ctx = cursorContext(doc, offset);
  return ctx?.kind === 'value' && ctx.string !== undefined;
}
