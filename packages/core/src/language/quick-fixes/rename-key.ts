/** SKN001 unknown key: rename it to the key it was meant to be (`personalisation` → `personalization`). */
import { attachedFixes, editsOnly } from './shared.js';
export const renameKey = attachedFixes(editsOnly);
