/**
 * Keeps the server's peak memory down. PostgreSQL's parser (libpg-query) is WebAssembly with one
 * 100 KB function, the grammar's parse loop. Once a few hundred queries have been parsed (the first
 * check of a large config), V8 tiers that function up to its optimising compiler, which on Node 22
 * and later needs about 600 MB for it: a start peaked at 0.7 GB and settled at 200 MB. The baseline
 * compiler (Liftoff) alone parses as fast for queries of a config's size, so the server runs with
 * `--liftoff-only`. V8 reads the flag when it compiles WebAssembly, but ignores it when set at run
 * time (v8.setFlagsFromString) on Node 24; it must be on the command line: the extension passes
 * it (execArgv), and a server started from a shell re-executes itself with it where Node can
 * replace the process in place (process.execve, Node 22.15+ on POSIX: same pid, same stdio).
 */
export const WASM_FLAG = '--liftoff-only';

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

export function restartWithoutWasmTierUp(args: string[]): void {
  if (process.execArgv.includes(WASM_FLAG) || process.env.SKENE_WASM_TIER_UP === '1') return;
  // Node IPC: the channel's descriptor may not survive exec; the extension passes the flag itself.
  if (args.includes('--node-ipc') || process.env.NODE_CHANNEL_FD !== undefined) return;
  const execve = (process as unknown as { execve?: Execve }).execve;
  if (typeof execve !== 'function') return; // Node 20 (whose peak stays near 250 MB) and Windows
  execve(process.execPath, [process.execPath, WASM_FLAG, ...process.execArgv, ...process.argv.slice(1)], process.env);
}
