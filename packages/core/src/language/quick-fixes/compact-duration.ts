/** SKN012 invalid duration: write it in the compact form (`'5 minutes'` → `'5m'`). */
import { attachedFixes, editsOnly } from './shared.js';
export const compactDuration = attachedFixes(editsOnly);
