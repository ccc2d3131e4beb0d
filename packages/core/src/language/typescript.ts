/**
 * TypeScript for the language services: the one instance analysis loads (see
 * ../analysis/syntax.ts for why it is required, not imported). Types come from
 * `import type TS from 'typescript'`.
 */
import { ts } from '../analysis/syntax.js';

export default ts;
