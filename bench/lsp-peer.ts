/**
 * Skene's language server beside a peer (issue 17): yaml-language-server validating the same 200
 * loops written as YAML against Skene's JSON Schema. Both over stdio with the same client, in the
 * same run, alternating sample by sample (Skene, YAML, Skene, YAML…), so load on the machine falls
 * on both alike. Each server's diagnostics are measured the way it delivers them: Skene's pulled
 * (textDocument/diagnostic), yaml-language-server's pushed (publishDiagnostics, which it sends
 * 200 ms after an open or a change). After each sample the bench waits for that server to go
 * idle, so that neither server's work after an answer is timed as the other's. Prints both, and the
 * ratios Skene/YAML (< 1: Skene faster); and, beside the completions, the floor: an empty server on
 * the same stack (_empty-server.cjs) asked as often, what any answer costs on this machine.
 *
 * Alone: `node --import tsx bench/lsp-peer.ts` (after `npm run build`). Sample counts:
 * LSP_PEER_COLD (cold starts per server, default 7), LSP_PEER_SAMPLES (edits and completions per
 * server, default 40).
 */
import { readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { positionAt, serverBuilt, startServer, type Server } from '../test/lsp/lsp-client.js';
import { cpuMs, project, rss } from './lsp.js';
import { fmt, percentile } from './stats.js';
import { startYamlServer, writeYamlDocument, YAML_DEBOUNCE_MS, yamlServerInstalled } from './_yaml-peer.js';

const COLD = Number(process.env.LSP_PEER_COLD ?? 7);
const SAMPLES = Number(process.env.LSP_PEER_SAMPLES ?? 40);
const SKENE_DEBOUNCE_MS = 150; // Skene's push after a change, which the edit series lets settle between samples
/** The loop whose id the edits toggle, in the middle of the file. */
const LOOP = 100;

/** One server and its document, behind the same small interface: the bench below never asks which. */
interface Side {
  name: string;
  start(): Promise<Server>;
  uri: string;
  languageId: string;
  /** The document with loop 100's id invalid (`Activation-100`: the schema's id pattern is lower-case). */
  invalidText: string;
  /** Offset of the id's first character, which the edits toggle between `A` (invalid) and `a` (valid). */
  idOffset: number;
  /** Where completion is asked: the start of the `table` key inside loop 100's trigger. */
  completionOffset: number;
  /** Runs `change` (an open or an edit) and resolves when the server has delivered diagnostics for it. */
  diagnose(server: Server, change: () => Promise<void>, idInvalid: boolean): Promise<void>;
}

function withTimeout<T>(promise: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer!: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Whether the diagnostics flag the id's line: what proves the server really validated (not an empty answer). */
function flagsId(diagnostics: Diagnostic[], idLine: number): boolean {
  return diagnostics.some((d) => d.range.start.line === idLine);
}

function expectState(name: string, diagnostics: Diagnostic[], idLine: number, idInvalid: boolean): void {
  if (flagsId(diagnostics, idLine) !== idInvalid)
    throw new Error(`${name}: expected ${idInvalid ? 'the invalid id to be reported' : 'no error on the id'}, got ${diagnostics.length} diagnostics`);
}

function sides(): { skene: Side; yaml: Side; cleanup: () => void; describe: string } {
  const p = project();
  const yamlDoc = writeYamlDocument(p.dir, p.text);
  const skeneId = p.text.indexOf(`id: 'activation-${LOOP}'`) + "id: '".length;
  const yamlId = yamlDoc.text.indexOf(`id: activation-${LOOP}\n`) + 'id: '.length;
  const invalid = (text: string, at: number) => text.slice(0, at) + 'A' + text.slice(at + 1);
  const skeneText = invalid(p.text, skeneId);
  const yamlText = invalid(yamlDoc.text, yamlId);
  const skeneIdLine = positionAt(skeneText, skeneId).line;
  const yamlIdLine = positionAt(yamlText, yamlId).line;
  const skene: Side = {
    name: 'Skene',
    start: () => startServer(),
    uri: p.uri,
    languageId: 'typescript',
    invalidText: skeneText,
    idOffset: skeneId,
    completionOffset: skeneText.indexOf("trigger: { type: 'database', table: 'users'", skeneId) + "trigger: { type: 'database', ".length,
    async diagnose(server, change, idInvalid) {
      await change();
      const report = (await withTimeout(server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: p.uri } }), 'Skene pull')) as {
        items: Diagnostic[];
      };
      expectState('Skene', report.items, skeneIdLine, idInvalid);
    },
  };
  const yaml: Side = {
    name: 'yaml-language-server',
    start: () => startYamlServer(yamlDoc),
    uri: yamlDoc.uri,
    languageId: 'yaml',
    invalidText: yamlText,
    idOffset: yamlId,
    completionOffset: yamlText.indexOf('table: users', yamlId),
    async diagnose(server, change, idInvalid) {
      // The first push in the expected state: one validated without the schema (settings not yet
      // applied) would not flag the id, and is not what a user waits for.
      const arrived = server.nextDiagnostics(yamlDoc.uri, (d) => flagsId(d.diagnostics, yamlIdLine) === idInvalid);
      await change();
      await withTimeout(arrived, 'yaml-language-server publishDiagnostics');
    },
  };
  const lines = (text: string) => text.split('\n').length;
  const kb = (text: string) => (text.length / 1024).toFixed(0);
  return {
    skene,
    yaml,
    cleanup: () => rmSync(p.dir, { recursive: true, force: true }),
    describe: `skene.config.ts ${lines(p.text)} lines, ${kb(p.text)} KB; skene.yaml ${lines(yamlDoc.text)} lines, ${kb(yamlDoc.text)} KB\n    (YAML validated against packages/sdk/dist/skene.schema.json, mapped to the file by the yaml.schemas setting)`,
  };
}

const open = (server: Server, side: Side) => () =>
  server.connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri: side.uri, languageId: side.languageId, version: 1, text: side.invalidText },
  });

/** Spawn → initialize → didOpen → first diagnostics (reporting the invalid id), the way the server delivers them. */
async function coldStart(side: Side): Promise<{ total: number; cpu: number }> {
  const t0 = performance.now();
  const server = await side.start();
  await side.diagnose(server, open(server, side), true);
  const result = { total: performance.now() - t0, cpu: cpuMs(server.process.pid!) };
  await server.stop();
  return result;
}

/**
 * Resolves once the server has used no CPU for SETTLE_MS (at most SETTLE_MAX_MS): what a server
 * does after answering (yaml-language-server's collection, Skene's idle parse) must not fall on the
 * next sample, which is the other server's. Measured before this wait: yaml-language-server used
 * 10–40 ms of CPU in the 300 ms after one completion in five, and Skene's completion p95 read
 * 6–14 ms beside it against 1.6–1.8 ms alone.
 */
async function settled(server: Server): Promise<void> {
  const pid = server.process.pid!;
  const start = performance.now();
  let cpu = cpuMs(pid);
  let quietSince = start;
  while (performance.now() - start < SETTLE_MAX_MS) {
    await new Promise((r) => setTimeout(r, 10));
    const now = cpuMs(pid);
    if (now !== cpu) [cpu, quietSince] = [now, performance.now()];
    else if (performance.now() - quietSince >= SETTLE_MS) return;
  }
}

const SETTLE_MS = 60; // /proc's CPU times count in 10 ms ticks: several reads without a tick
const SETTLE_MAX_MS = 1000;

/** A running server with its document open, and an edit that toggles the id (valid, invalid, valid…). */
async function session(side: Side) {
  const server = await side.start();
  await side.diagnose(server, open(server, side), true);
  let text = side.invalidText;
  let version = 1;
  const edit = async () => {
    const ch = text[side.idOffset] === 'A' ? 'a' : 'A';
    text = text.slice(0, side.idOffset) + ch + text.slice(side.idOffset + 1);
    const range = { start: positionAt(text, side.idOffset), end: positionAt(text, side.idOffset + 1) };
    version++;
    await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri: side.uri, version }, contentChanges: [{ range, text: ch }] });
  };
  /** Wall time from the edit to its diagnostics. */
  const timedEdit = async () => {
    const idInvalid = text[side.idOffset] !== 'A'; // what the edit is about to make it
    const t0 = performance.now();
    await side.diagnose(server, edit, idInvalid);
    const elapsed = performance.now() - t0;
    if (side.name === 'Skene') {
      // Skene also pushes 150 ms after a change: let that finish so it does not fall on the peer's sample.
      const v = version;
      await Promise.race([server.nextDiagnostics(side.uri, (d) => d.version === v), new Promise((r) => setTimeout(r, SKENE_DEBOUNCE_MS * 4))]);
    }
    await settled(server);
    return elapsed;
  };
  const position = positionAt(text, side.completionOffset);
  const completion = async () => {
    const t0 = performance.now();
    const result = (await server.connection.sendRequest('textDocument/completion', { textDocument: { uri: side.uri }, position })) as
      { items: unknown[] } | unknown[] | null;
    const items = Array.isArray(result) ? result.length : (result?.items.length ?? 0);
    if (items === 0) throw new Error(`${side.name}: no completion items for the keys of a trigger`);
    const ms = performance.now() - t0;
    await settled(server);
    return { ms, items };
  };
  return { server, timedEdit, completion };
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** The CPU's name and count: figures from different machines (or days) are not comparable. */
const machine = () => `${/^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU'}, ${availableParallelism()} CPUs`;

const EMPTY_SERVER = fileURLToPath(new URL('./_empty-server.cjs', import.meta.url));

/** The empty server (_empty-server.cjs), asked for completion as the two servers are. */
async function floorSession() {
  const server = await startServer({ command: [EMPTY_SERVER] });
  const params = { textDocument: { uri: 'file:///empty' }, position: { line: 0, character: 0 } };
  const completion = async () => {
    const t0 = performance.now();
    await server.connection.sendRequest('textDocument/completion', params);
    const ms = performance.now() - t0;
    await settled(server);
    return ms;
  };
  return { server, completion };
}

function table(rows: { name: string; skene: number; yaml: number; debounce?: number }[]): void {
  const cell = (s: string, w = 12) => s.padStart(w);
  console.log(`  ${''.padEnd(36)}${cell('Skene')}${cell('yaml-ls')}${cell('yaml-ls−200')}${cell('Skene/yaml')}${cell('Skene/(−200)', 14)}`);
  for (const r of rows) {
    const less = r.debounce === undefined ? undefined : r.yaml - r.debounce;
    console.log(
      `  ${r.name.padEnd(36)}${cell(fmt(r.skene))}${cell(fmt(r.yaml))}${cell(less === undefined ? '—' : fmt(less))}${cell((r.skene / r.yaml).toFixed(2))}${cell(less === undefined ? '—' : (r.skene / less).toFixed(2), 14)}`,
    );
  }
}

export async function run(): Promise<void> {
  if (!serverBuilt()) throw new Error('the language server is not built (npm run bench builds it)');
  if (!yamlServerInstalled()) throw new Error('yaml-language-server or the JSON Schema is missing (npm ci, npm run build)');
  const { skene, yaml, cleanup, describe } = sides();
  const loadBefore = loadAverage();
  try {
    // One untimed start each: Skene writes its code caches, and both servers' files are in the page cache.
    await coldStart(skene);
    await coldStart(yaml);
    const cold = { skene: [] as number[], yaml: [] as number[], skeneCpu: [] as number[], yamlCpu: [] as number[] };
    for (let i = 0; i < COLD; i++) {
      const s = await coldStart(skene);
      const y = await coldStart(yaml);
      cold.skene.push(s.total);
      cold.skeneCpu.push(s.cpu);
      cold.yaml.push(y.total);
      cold.yamlCpu.push(y.cpu);
    }

    const sk = await session(skene);
    const ym = await session(yaml);
    const floor = await floorSession();
    try {
      for (let i = 0; i < 10; i++) {
        // Warm-up (not timed): a few seconds of typing for each server's JIT.
        await sk.timedEdit();
        await ym.timedEdit();
        await sk.completion();
        await ym.completion();
      }
      const edits = { skene: [] as number[], yaml: [] as number[] };
      for (let i = 0; i < SAMPLES; i++) {
        edits.skene.push(await sk.timedEdit());
        edits.yaml.push(await ym.timedEdit());
      }
      const completions = { skene: [] as number[], yaml: [] as number[], floor: [] as number[], skeneItems: 0, yamlItems: 0 };
      for (let i = 0; i < 5; i++) await floor.completion(); // its JIT's warm-up
      for (let i = 0; i < SAMPLES; i++) {
        const s = await sk.completion();
        const y = await ym.completion();
        completions.floor.push(await floor.completion());
        completions.skene.push(s.ms);
        completions.yaml.push(y.ms);
        completions.skeneItems = s.items;
        completions.yamlItems = y.items;
      }

      const p = (samples: number[], q: number) => percentile(samples, q);
      console.log(`  200 loops, the same in both: ${describe}`);
      console.log(`  alternating Skene/YAML: ${COLD} cold starts each, then ${SAMPLES} edits and ${SAMPLES} completions each`);
      console.log(`  diagnostics: Skene pulled (textDocument/diagnostic after didOpen or didChange);`);
      console.log(`    yaml-language-server pushed (publishDiagnostics; it validates ${YAML_DEBOUNCE_MS} ms after an open or a change, a fixed delay:`);
      console.log(`    the yaml-ls−${YAML_DEBOUNCE_MS} column takes it out). Each result is checked: the invalid id reported or cleared.`);
      console.log(
        `  edit: loop ${LOOP}'s id toggled activation-${LOOP} (valid) ↔ Activation-${LOOP} (pattern error); completion: keys of loop ${LOOP}'s trigger`,
      );
      table([
        { name: 'cold start → first diagnostics p50', skene: p(cold.skene, 50), yaml: p(cold.yaml, 50), debounce: YAML_DEBOUNCE_MS },
        { name: 'cold start CPU time p50', skene: p(cold.skeneCpu, 50), yaml: p(cold.yamlCpu, 50) },
        { name: 'diagnostics after an edit p50', skene: p(edits.skene, 50), yaml: p(edits.yaml, 50), debounce: YAML_DEBOUNCE_MS },
        { name: 'diagnostics after an edit p95', skene: p(edits.skene, 95), yaml: p(edits.yaml, 95), debounce: YAML_DEBOUNCE_MS },
        { name: 'completion p50', skene: p(completions.skene, 50), yaml: p(completions.yaml, 50) },
        { name: 'completion p95', skene: p(completions.skene, 95), yaml: p(completions.yaml, 95) },
      ]);
      console.log(`  completion items: Skene ${completions.skeneItems}, yaml-language-server ${completions.yamlItems}`);
      console.log(
        `  the floor, an empty server on the same stack (vscode-jsonrpc over stdio, answering at once), asked as often:\n    completion p50 ${fmt(p(completions.floor, 50))}, p95 ${fmt(p(completions.floor, 95))} (machine: ${machine()})`,
      );
      const [skMem, ymMem] = [rss(sk.server.process.pid!), rss(ym.server.process.pid!)];
      console.log(`  resident memory after the runs: Skene ${skMem.rss} (peak ${skMem.peak}), yaml-language-server ${ymMem.rss} (peak ${ymMem.peak})`);
      console.log(`  machine load average before: ${loadBefore}, after: ${loadAverage()} (wall times scale with it; CPU time does not)`);
    } finally {
      await sk.server.stop();
      await ym.server.stop();
      await floor.server.stop();
    }
  } finally {
    cleanup();
  }
}

// Runnable alone: `node --import tsx bench/lsp-peer.ts`.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
