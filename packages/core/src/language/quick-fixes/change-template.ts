/** SKN030 template not found: change the name to the template in emails/ it was meant to be. */
import { attachedFixes, editsOnly } from './shared.js';
export const changeTemplate = attachedFixes(editsOnly);
