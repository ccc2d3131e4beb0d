/** SKN032 unknown placeholder root: change it to the root it was meant to be (`{{usr.name}}` → `{{user.name}}`). */
import { attachedFixes, editsOnly } from './shared.js';
export const changePlaceholderRoot = attachedFixes(editsOnly);
