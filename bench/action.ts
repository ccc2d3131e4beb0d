/**
 * The GitHub Action as shipped: the size of action/dist (every clone of the action's repository
 * and every runner downloads it; target ≤ 25 MiB) and its wall time on the largest example,
 * run as the runner runs it (action/test/harness.ts: a copy of dist/ alone in a temporary
 * folder, INPUT_* variables, a GitHub API double). The first run is cold, as on a hosted runner
 * (a fresh checkout: dist/'s compressed files unpacked, PGlite's data directory initialised);
 * the later ones are warm. A preloaded timeline (_action-timeline.cjs) says where the time goes.
 * Target: ≤ 2 s once the embedded database is up.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { GitHubDouble } from '../action/test/github-double.js';
import { BUILT_DIST, EXAMPLES, pullRequestEvent, Runner } from '../action/test/harness.js';
import { fmt } from './stats.js';

const MiB = 1024 * 1024;
const WARM_RUNS = 3;

function filesUnder(dir: string, skip: (rel: string) => boolean): { rel: string; bytes: number }[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((entry) => ({ rel: entry.split('\\').join('/'), abs: join(dir, entry) }))
    .filter(({ rel, abs }) => !skip(rel) && statSync(abs).isFile())
    .map(({ rel, abs }) => ({ rel, bytes: statSync(abs).size }));
}

function distSize(): void {
  const files = filesUnder(BUILT_DIST, (rel) => rel.split('/').includes('.cache'));
  const total = files.reduce((n, f) => n + f.bytes, 0);
  console.log(`  action/dist: ${(total / MiB).toFixed(2)} MiB in ${files.length} files (target ≤ 25 MiB)`);
  for (const f of files.sort((a, b) => b.bytes - a.bytes).slice(0, 8)) console.log(`    ${(f.bytes / MiB).toFixed(2).padStart(6)} MiB  ${f.rel}`);
}

/** The example with the most bytes of config, seed and templates (not its README). */
function largestExample(): { name: string; bytes: number } {
  const sizes = readdirSync(EXAMPLES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({
      name: d.name,
      bytes: filesUnder(join(EXAMPLES, d.name), (rel) => /(^|\/)(README\.md|node_modules)|\.ya?ml$/.test(rel)).reduce((n, f) => n + f.bytes, 0),
    }));
  return sizes.sort((a, b) => b.bytes - a.bytes)[0]!;
}

interface Mark {
  at: number;
  what: string;
  ms?: number;
}

function readTimeline(file: string): Mark[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Mark)
      .sort((a, b) => a.at - b.at);
  } catch {
    return [];
  }
}

/** The run's events, relative to the spawn; what the target counts from: the embedded database ready. */
function printTimeline(marks: Mark[], spawnedAt: number): void {
  const dbUp = marks.find((m) => /^pglite-worker#\d+ first message$/.test(m.what));
  const exit = marks.find((m) => m.what === 'process exit');
  for (const m of marks) {
    if (m.what.startsWith('log ::') && !/^log ::(group|endgroup)/.test(m.what)) continue; // annotations, outputs, masks
    const took = m.ms !== undefined ? `  (${fmt(m.ms)})` : '';
    console.log(`    ${fmt(m.at - spawnedAt).padStart(9)}  ${m.what}${took}`);
  }
  if (dbUp && exit) console.log(`    from the embedded database up to exit: ${fmt(exit.at - dbUp.at)} (target ≤ 2 s)`);
}

export async function run(): Promise<void> {
  distSize();
  const example = largestExample();
  const seed = readdirSync(join(EXAMPLES, example.name, 'seed')).includes('postgres') ? 'seed/postgres' : 'seed';
  console.log(`  largest example: ${example.name} (${(example.bytes / 1024).toFixed(1)} KiB), embedded PostgreSQL, seed ${seed}`);

  const github = await new GitHubDouble().start();
  const runner = new Runner();
  const preload = new URL('./_action-timeline.cjs', import.meta.url).pathname;
  try {
    runner.copyExample(example.name, 'app');
    const walls: number[] = [];
    for (let i = 0; i <= WARM_RUNS; i++) {
      const timeline = join(tmpdir(), `skene-bench-action-${process.pid}-${i}.jsonl`);
      const spawnedAt = performance.timeOrigin + performance.now();
      const result = await runner.run({
        inputs: { 'working-directory': 'app', seed, at: '2026-03-02T09:00:00Z', 'github-token': 'ghs_installation_token' },
        event: pullRequestEvent(),
        apiUrl: github.url,
        env: { SKENE_EMAIL_FROM: 'Acme <hello@acme.example>', NODE_OPTIONS: `--require ${preload}`, SKENE_BENCH_TIMELINE: timeline },
      });
      if (result.status !== 0) throw new Error(`the action failed (exit ${result.status}): ${result.failure ?? result.stderr.slice(0, 500)}`);
      if (i > 0) walls.push(result.wallMs);
      const emails = result.outputs.emails ?? '?';
      console.log(`  ${i === 0 ? 'cold run (fresh dist/ copy: unpack + PGlite initdb)' : `warm run ${i}`}: ${fmt(result.wallMs)} wall, ${emails} emails`);
      if (i === 0 || i === WARM_RUNS) printTimeline(readTimeline(timeline), spawnedAt);
      rmSync(timeline, { force: true });
    }
    console.log(`  warm: median ${fmt(walls.sort((a, b) => a - b)[Math.floor(walls.length / 2)]!)}, min ${fmt(walls[0]!)} (${walls.length} runs)`);
    console.log(`  (the dist copy: ${relative(process.cwd(), tmpdir()) || tmpdir()}/skene-action-install-native-*)`);
  } finally {
    runner.cleanup();
    await github.stop();
  }
}
