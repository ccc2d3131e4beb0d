/**
 * dist/server.cjs: the Skene language server (packages/language-server, `--node-ipc` or `--stdio`)
 * and, with `--skene-worker`, the worker the extension forks for the starter and the plan. One
 * bundle holds core and its dependencies once for both (the .vsix stays small); each mode loads
 * only its own code.
 */
if (process.argv.includes('--skene-worker')) {
  void import('./worker.js');
} else {
  void import('../../packages/language-server/src/bin.js');
}
