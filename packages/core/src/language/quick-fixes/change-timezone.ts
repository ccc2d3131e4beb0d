/** SKN011 unknown time zone: change it to the IANA zone it was meant to be. */
import { attachedFixes, editsOnly } from './shared.js';
export const changeTimezone = attachedFixes(editsOnly);
