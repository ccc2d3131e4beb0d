/**
 * The V8 flags the language server and `skene check` run with, to keep their memory (and, for a
 * short check, their time) down on Node 22 and later:
 *
 * - `--liftoff-only`: PostgreSQL's parser (libpg-query) is WebAssembly with one 100 KB function,
 *   the grammar's parse loop. Once a few hundred queries have been parsed (the first check of a
 *   large config), V8 tiers that function up to its optimising compiler, which on Node 22+ needs
 *   about 600 MB for it (Node 20's needed 8 MB): each start peaked at 0.7 GB, then settled at
 *   200 MB. The baseline compiler (Liftoff) alone parses about as fast for a config's queries.
 * - `--max-semi-space-size=16`: Node 20's young generation. Node 24's grows to twice that, and a
 *   long editing session held ~100 MB more heap for no measurable speed.
 *
 * V8 ignores `--liftoff-only` set at run time (v8.setFlagsFromString) on Node 24: the flags must be
 * on the command line. The extension passes them (execArgv); a server started from a shell or by
 * another editor, and `skene check`, re-execute themselves with them where Node can replace the
 * process in place (process.execve, Node 22.15+ on POSIX: same pid, same stdio).
 * SKENE_V8_DEFAULTS=1 opts out. Not for the plan or the runner: `--liftoff-only` is process-wide
 * and the embedded PostgreSQL (PGlite) is WebAssembly too.
 */
import v8 from 'node:v8';

export const ANALYSIS_V8_FLAGS = ['--liftoff-only', '--max-semi-space-size=16'];

/**
 * Flags this process set at run time (V8 cannot list them): a V8 code cache records the flags it was
 * made under and is rejected under others, so code-cache.ts keys its files by them too.
 */
export let runtimeFlags = '';

/** Sets a V8 flag now, once, and records it in runtimeFlags (a flag already on the command line is left). */
function setAtRunTime(flag: string): void {
  if (process.execArgv.includes(flag) || runtimeFlags.split(' ').includes(flag)) return;
  v8.setFlagsFromString(flag);
  runtimeFlags = [runtimeFlags, flag].join(' ').trim();
}

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/** Re-executes this process with ANALYSIS_V8_FLAGS where it can; returns when it cannot (or need not). */
export function restartWithAnalysisFlags(): void {
  if (ANALYSIS_V8_FLAGS.every((f) => process.execArgv.includes(f)) || process.env.SKENE_V8_DEFAULTS === '1') return;
  // Node IPC: the channel's descriptor may not survive exec; a parent that forks passes the flags itself.
  if (process.env.NODE_CHANNEL_FD !== undefined) return;
  const execve = (process as unknown as { execve?: Execve }).execve;
  if (typeof execve !== 'function') {
    // Node 20 (whose peak stays near 250 MB) and Windows. Node 20's V8 still takes `--liftoff-only`
    // at run time, before any WebAssembly is compiled: without it, tiering the parse loop up held
    // the main thread ~300 ms after a check's last query (measured: check of 200 loops, exit 300 ms
    // sooner). Node 24 ignores it here, harmlessly.
    setAtRunTime('--liftoff-only');
    return;
  }
  const missing = ANALYSIS_V8_FLAGS.filter((f) => !process.execArgv.includes(f));
  execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)], process.env);
}

/**
 * Turns V8's garbage collection of WebAssembly code off on Node 24, whose V8 (13.6) can free an
 * import wrapper twice: the code GC frees a dying wrapper while another thread, tiering it up,
 * takes a reference and frees it again (crbug.com/409379692, fixed in V8 13.7, not backported;
 * nodejs/node#64500). The process then aborts with "Check failed:
 * jit_page_->allocations_.erase(addr) == 1". PGlite instances opened and closed in one process
 * (a plan's databases on worker threads, the runner's, a test file's) make dying wrappers: our CI
 * aborted so on Node 24.21.0. Without the code GC nothing is freed twice; V8 keeps the code that
 * tier-up replaced (measured, six PGlite instances in turn: RSS afterwards 568 MB, 572 with it).
 * The flag is read whenever code may have died, so setting it at run time works, before the
 * first WebAssembly instance. Called where PGlite is imported, and by the CLI (before its code
 * caches, which are keyed by the flags: see runtimeFlags) and the Action as they start.
 */
export function keepWasmCodeOnNode24(): void {
  if (process.versions.v8.startsWith('13.')) setAtRunTime('--no-wasm-code-gc');
}
