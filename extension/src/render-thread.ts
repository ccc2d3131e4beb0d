/**
 * A React Email render thread (core's email/render-worker.ts) inside dist/server.mjs: core starts
 * `./render-worker.js` beside the bundle, and that file only imports server.mjs again, which comes
 * here (server-main.ts). The thread so shares the server's one bundle of React, TypeScript and
 * core instead of a second copy in the .vsix. A template's bundle requires React and
 * @react-email/components by name (runtime-modules.ts, installed first) and its own `.tsx`
 * modules through the shim's hooks, which are per thread like every module hook.
 */
import { installHooks } from './esbuild-shim.js';

installHooks();
await import('../../packages/core/src/email/render-worker.js');
