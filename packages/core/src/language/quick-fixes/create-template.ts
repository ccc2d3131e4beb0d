/** SKN030 template not found: create `emails/<name>.tsx`, a React Email component taking the personalization keys as props. */
import { attachedFixes } from './shared.js';
export const createTemplate = attachedFixes((fix) => fix.createFile !== undefined);
