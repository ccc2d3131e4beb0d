/**
 * TypeScript for the language services, loaded with require (as analysis/document.ts does):
 * importing its 9 MB CommonJS bundle as an ES module makes Node scan it for export names first,
 * ~0.6 s of CPU at every server start. Types come from `import type TS from 'typescript'`.
 */
import { createRequire } from 'node:module';
import type TS from 'typescript';

const ts: typeof TS = createRequire(import.meta.url)('typescript');
export default ts;
