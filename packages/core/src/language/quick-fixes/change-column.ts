/** SKN041 unknown column in `{{user.…}}`/`{{row.…}}`: change it to the column it was meant to be. */
import { attachedFixes, editsOnly } from './shared.js';
export const changeColumn = attachedFixes(editsOnly);
