/**
 * Language server latency over stdio (the BUILT server, a real LSP client), on a generated 200-loop
 * config: diagnostics after an edit (pushed: didChange → publishDiagnostics minus the debounce;
 * pulled: didChange + textDocument/diagnostic), completion and hover, cold start to first
 * diagnostics, resident memory. Targets: diagnostics p95 ≤ 30 ms after the debounce, completion
 * and hover p95 ≤ 10 ms, first diagnostics ≤ 500 ms.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { positionAt, serverBuilt, startServer, type Server } from '../test/lsp/lsp-client.js';
import { fmt, generatedConfig, percentile } from './stats.js';

const DEBOUNCE_MS = 150; // the server's default

export function project(): { dir: string; file: string; uri: string; text: string } {
  const dir = mkdtempSync(join(tmpdir(), 'skene-bench-lsp-'));
  mkdirSync(join(dir, 'emails'));
  mkdirSync(join(dir, 'migrations'));
  writeFileSync(join(dir, 'emails', 'welcome.html'), '<p>Hi {{name}}: {{link}}</p>');
  writeFileSync(join(dir, 'emails', 're_engagement.html'), '<p>Hi {{name}}, last seen {{lastActivity}}</p>');
  writeFileSync(
    join(dir, 'migrations', '001_init.sql'),
    `CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text, activation_link text, last_activity_at timestamptz, re_engagement_sent boolean DEFAULT false);
CREATE TABLE user_actions (id serial PRIMARY KEY, user_id integer REFERENCES users (id), action_type text NOT NULL, created_at timestamptz DEFAULT now());
`,
  );
  const file = join(dir, 'skene.config.ts');
  const text = generatedConfig(200);
  writeFileSync(file, text);
  return { dir, file, uri: pathToFileURL(file).href, text };
}

/** CPU time (user + system) a process has used so far: unlike wall time, barely affected by other processes' load. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

export function rss(pid: number): { rss: string; peak: string } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: `${(kb('VmRSS') / 1024).toFixed(0)} MB`, peak: `${(kb('VmHWM') / 1024).toFixed(0)} MB` };
}

const line = (name: string, samples: number[], target: string) =>
  console.log(
    `  ${name.padEnd(34)} p50 ${fmt(percentile(samples, 50)).padStart(9)}  p95 ${fmt(percentile(samples, 95)).padStart(9)}  (n=${samples.length}, target ${target})`,
  );

export async function run(): Promise<void> {
  if (!serverBuilt()) throw new Error('the language server is not built (npm run bench builds it)');
  const p = project();
  try {
    // Cold start: spawn → initialize → didOpen → first diagnostics (pushed, and pulled without the
    // debounce). The very first start on a machine compiles everything and writes the code caches
    // (TypeScript, the server bundle: see packages/language-server/src/code-cache.ts); it is timed
    // on its own, with the caches removed, and every later start reads them.
    const coldStart = async (pull: boolean) => {
      const t0 = performance.now();
      const server = await startServer();
      const init = performance.now() - t0;
      const first = server.nextDiagnostics(p.uri);
      await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: p.uri, languageId: 'typescript', version: 1, text: p.text } });
      if (pull) await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: p.uri } });
      else await first;
      const result = { init, total: performance.now() - t0, cpu: cpuMs(server.process.pid!) };
      await server.stop();
      return result;
    };
    rmSync(join(tmpdir(), 'skene-code-cache'), { recursive: true, force: true });
    const uncached = await coldStart(true);
    const pushedCold: number[] = [];
    const pulledCold: number[] = [];
    const initCold: number[] = [];
    const cpuCold: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await coldStart(i % 2 === 1);
      initCold.push(r.init);
      if (i % 2 === 1) {
        pulledCold.push(r.total);
        cpuCold.push(r.cpu);
      } else {
        pushedCold.push(r.total);
      }
    }
    console.log(`  200-loop config: ${p.text.split('\n').length} lines, ${(p.text.length / 1024).toFixed(0)} KB; server debounce ${DEBOUNCE_MS} ms`);
    line('cold start → initialize answered', initCold, '—');
    line('cold start → first pull diagnostics', pulledCold, '≤ 500 ms');
    line('cold start → first pushed diagnostics', pushedCold, '≤ 500 ms (no debounce on open)');
    line('cold start CPU time to first pull', cpuCold, 'what the wall time is on an idle core');
    console.log(
      `  first start on a machine (no code caches yet): first pull diagnostics ${fmt(uncached.total)} (CPU ${fmt(uncached.cpu)}); it writes the caches`,
    );

    const server: Server = await startServer();
    const c = server.connection;
    let version = 1;
    let text = p.text;
    const first = server.nextDiagnostics(p.uri);
    await c.sendNotification('textDocument/didOpen', { textDocument: { uri: p.uri, languageId: 'typescript', version, text } });
    await first;

    // An edit in the middle of the file: toggles one character of an opinion.
    const anchor = text.indexOf("opinion: 'Welcome users who reach milestone 100'") + "opinion: 'W".length;
    const edit = async () => {
      const ch = text[anchor] === 'e' ? 'E' : 'e';
      text = text.slice(0, anchor) + ch + text.slice(anchor + 1);
      const range = { start: positionAt(text, anchor), end: positionAt(text, anchor + 1) };
      version++;
      await c.sendNotification('textDocument/didChange', { textDocument: { uri: p.uri, version }, contentChanges: [{ range, text: ch }] });
      return version;
    };

    // Warm-up edits (not timed): what a few seconds of typing does to the server's JIT.
    for (let i = 0; i < 10; i++) {
      await edit();
      await c.sendRequest('textDocument/diagnostic', { textDocument: { uri: p.uri } });
    }
    await new Promise((r) => setTimeout(r, DEBOUNCE_MS * 2)); // the warm-up's own push

    const pushed: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      const v = version + 1;
      const arrived = server.nextDiagnostics(p.uri, (x) => x.version === v);
      await edit();
      await arrived;
      pushed.push(performance.now() - t0 - DEBOUNCE_MS);
    }
    const pulled: number[] = [];
    const pullCpu0 = cpuMs(server.process.pid!);
    for (let i = 0; i < 60; i++) {
      await edit();
      const t0 = performance.now();
      await c.sendRequest('textDocument/diagnostic', { textDocument: { uri: p.uri } });
      pulled.push(performance.now() - t0);
    }
    const pullCpu = (cpuMs(server.process.pid!) - pullCpu0) / 60;
    // Let the pushes scheduled by the pull loop's edits settle before timing requests.
    await new Promise((r) => setTimeout(r, DEBOUNCE_MS * 2));

    const at = (needle: string, delta: number) => positionAt(text, text.indexOf(needle) + delta);
    const completionAt = [
      at("trigger: { type: 'database', table: 'users'", "trigger: { type: 'database', ".length), // keys of a trigger
      at("backoff: 'exponential'", "backoff: '".length), // enum values
      at("table: 'users'", "table: '".length + 2), // tables
      at("'{{user.name}}'", "'{{user.".length), // columns
      at("cron: '0 5 * * *'", "cron: '".length), // cron presets
      at("timeout: '10m'", "timeout: '".length), // durations
    ];
    const hoverAt = [
      at("cron: '0 5 * * *'", "cron: '".length + 1), // cron in words + next occurrences
      at("timeout: '5m'", 1), // field docs
      at("table: 'users'", "table: '".length + 1), // table columns
      at("template: 'welcome'", "template: '".length + 1), // template file + props
    ];
    const completion: number[] = [];
    const hover: number[] = [];
    const requestCpu0 = cpuMs(server.process.pid!);
    for (let i = 0; i < 120; i++) {
      const position = completionAt[i % completionAt.length];
      let t0 = performance.now();
      await c.sendRequest('textDocument/completion', { textDocument: { uri: p.uri }, position });
      completion.push(performance.now() - t0);
      t0 = performance.now();
      await c.sendRequest('textDocument/hover', { textDocument: { uri: p.uri }, position: hoverAt[i % hoverAt.length] });
      hover.push(performance.now() - t0);
    }
    // The same analysis in this process, at the same moment: the floor the server adds its overhead to.
    const { analyze, loadProjectContext, prepareAnalysis } = await import('@skene/core/analysis');
    await prepareAnalysis();
    const projectContext = loadProjectContext(p.file);
    const inProcess: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      analyze(text, { fileName: p.file, project: projectContext });
      if (i >= 5) inProcess.push(performance.now() - t0);
    }
    line('(reference) analysis in-process', inProcess, 'analysis bench: < 20 ms');
    const requestCpu = (cpuMs(server.process.pid!) - requestCpu0) / 240;
    line('diagnostics, pushed (minus debounce)', pushed, '≤ 30 ms');
    line('diagnostics, pulled after an edit', pulled, '≤ 30 ms');
    line('completion', completion, '≤ 10 ms');
    line('hover', hover, '≤ 10 ms');
    console.log(`  server CPU time per edit + pulled diagnostics: ${fmt(pullCpu)}; per completion or hover request: ${fmt(requestCpu)}`);
    const memory = rss(server.process.pid!);
    console.log(`  resident memory after the runs: ${memory.rss} (peak ${memory.peak})`);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`  machine load average during the run: ${load} (wall times scale with it; CPU time does not)`);
    await server.stop();
  } finally {
    rmSync(p.dir, { recursive: true, force: true });
  }
}
