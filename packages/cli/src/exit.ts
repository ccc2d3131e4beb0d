/**
 * The exit status of a command's promise, then `after` (bin.ts writes its code caches). A command
 * left waiting on nothing — a promise that never settles, with nothing else keeping Node running —
 * exits 1 with a message, not 0 as if it had finished (bin.ts awaited at its top level before it
 * was built as CommonJS; Node then exited 13).
 */
export function exitWith(command: Promise<number>, after: () => void = () => {}): void {
  let finished = false;
  process.on('beforeExit', () => {
    if (finished) return;
    process.stderr.write('skene: the command stopped before it finished (it was waiting for something that never came)\n');
    process.exitCode = 1;
  });
  void command.then((code) => {
    finished = true;
    process.exitCode = code;
    after();
  });
}
