/**
 * Static analysis speed: a generated 200-loop config analysed in-process (median of many runs),
 * and the `skene check` process end to end. Target: analysis median under 20 ms.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, loadProjectContext, prepareAnalysis, parseConfigDocument } from '@skene/core';
import { fmt, generatedConfig, percentile } from './stats.js';

export async function run(): Promise<void> {
  await prepareAnalysis();
  const text = generatedConfig(200);
  const dir = mkdtempSync(join(tmpdir(), 'skene-bench-'));
  mkdirSync(join(dir, 'emails'));
  writeFileSync(join(dir, 'emails', 'welcome.html'), '<p>{{name}}</p>');
  writeFileSync(join(dir, 'emails', 're_engagement.html'), '<p>{{name}}</p>');
  const file = join(dir, 'skene.config.ts');
  writeFileSync(file, text);
  const project = loadProjectContext(file);

  const runs = (fn: () => void, n: number) => {
    for (let i = 0; i < 10; i++) fn(); // warm-up: JIT and the parsers' first calls
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      fn();
      samples.push(performance.now() - t0);
    }
    return samples;
  };
  const full = runs(() => analyze(text, { project }), 100);
  const parseOnly = runs(() => parseConfigDocument(text), 100);
  const { diagnostics } = analyze(text, { project });
  console.log(`  200-loop config: ${text.split('\n').length} lines, ${diagnostics.length} diagnostics`);
  console.log(`  analysis (parse + every rule): median ${fmt(percentile(full, 50))}, p95 ${fmt(percentile(full, 95))}  (target < 20 ms)`);
  console.log(`  of which TypeScript parse + value tree: median ${fmt(percentile(parseOnly, 50))}`);

  const bin = new URL('../packages/cli/dist/bin.cjs', import.meta.url).pathname;
  const processRuns: number[] = [];
  for (let i = 0; i < 8; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, [bin, 'check', file, '--format', 'json'], { stdio: 'pipe' });
    processRuns.push(performance.now() - t0);
  }
  console.log(`  skene check process (node start to exit, 200 loops): median ${fmt(percentile(processRuns, 50))}, min ${fmt(Math.min(...processRuns))}`);
  rmSync(dir, { recursive: true, force: true });
}
