/** SKN040 unknown table: change it to the table in the schema files it was meant to be. */
import { attachedFixes, editsOnly } from './shared.js';
export const changeTable = attachedFixes(editsOnly);
