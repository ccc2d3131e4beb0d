// A node:test reporter, beside the spec reporter (run-tests.mjs): when a test file's process
// ends on its own terms — a signal (a native crash: SIGABRT, SIGSEGV) or an exit code after its
// tests — the spec reporter says only "test failed", and what the process printed last is far up
// a long CI log. This prints, after the summary, how each such file ended and its last lines on
// stderr, so that one CI log is enough to tell a crash from a late error. A file that already had
// a failing test is not covered: node:test then reports no end of its process to reporters.
import { resolve } from 'node:path';

const KEEP = 40;

export default async function* testProcessEnds(source) {
  const stderrTails = new Map();
  const ended = [];
  for await (const event of source) {
    if (event.type === 'test:stderr') {
      // Node 24 names the file relative to the working directory here, absolute in test:fail.
      const file = resolve(event.data.file);
      const lines = stderrTails.get(file) ?? [];
      lines.push(...event.data.message.split('\n').filter((line) => line.trim() !== ''));
      stderrTails.set(file, lines.slice(-KEEP));
    } else if (event.type === 'test:fail' && event.data.nesting === 0) {
      const { exitCode, signal } = event.data.details?.error ?? {};
      if (signal || exitCode) ended.push({ file: resolve(event.data.file), exitCode, signal }); // exitCode: a number, or null with a signal
    }
  }
  for (const { file, exitCode, signal } of ended) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
    const tail = stderrTails.get(file) ?? [];
    yield `\nThe test process of ${file} ${how}. ${tail.length ? `Its last ${tail.length} lines on stderr:` : 'It printed nothing on stderr.'}\n`;
    for (const line of tail) yield `  ${line}\n`;
  }
}
