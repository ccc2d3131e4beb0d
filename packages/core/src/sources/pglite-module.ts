/** PGlite's module, as every part of Skene loads it. */
import { keepWasmCodeOnNode24 } from '../v8-flags.js';

export type PgliteModule = typeof import('@electric-sql/pglite');

/**
 * Imports PGlite after turning off what makes Node 24 abort when WebAssembly instances come and go
 * (v8-flags.ts): the plan, the runner, the Action and the tests open PGlite only through here.
 */
export function importPglite(): Promise<PgliteModule> {
  keepWasmCodeOnNode24();
  return import('@electric-sql/pglite');
}
