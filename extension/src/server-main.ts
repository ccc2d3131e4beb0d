/**
 * dist/server.mjs: the Skene language server (packages/language-server's bin: `--node-ipc` or
 * `--stdio`) and, with `--skene-worker`, the worker the extension forks for the starter and the
 * plan. One bundle holds core and its dependencies once for both (the .vsix stays small); each
 * mode loads only its own code.
 */
import './runtime-modules.js';

if (process.argv.includes('--skene-worker')) {
  await import('./worker.js');
} else {
  await import('../../packages/language-server/src/bin.js');
}
