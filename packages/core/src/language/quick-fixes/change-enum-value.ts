/** SKN004 value not allowed: change it to the closest allowed value (or any other allowed one). */
import { attachedFixes, editsOnly } from './shared.js';
export const changeEnumValue = attachedFixes(editsOnly);
