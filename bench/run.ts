/**
 * `npm run bench`: runs every bench/*.ts module that exports `run()`, in name order, and prints
 * their figures. Benchmarks measure; they never fail the build (that is what tests are for).
 * `npm run bench -- plan` runs only the modules whose name contains "plan".
 */
import { readdirSync } from 'node:fs';

const only = process.argv.slice(2);
const dir = new URL('.', import.meta.url);
const modules = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .filter((f) => !only.length || only.some((o) => f.includes(o)))
  .sort();

for (const file of modules) {
  const mod = (await import(new URL(file, dir).href)) as { run?: () => Promise<void> | void };
  if (typeof mod.run !== 'function') continue;
  console.log(`\n## ${file.replace(/\.ts$/, '')}`);
  try {
    await mod.run();
  } catch (error) {
    console.log(`  (bench ${file} could not run: ${error instanceof Error ? error.message : String(error)})`);
    process.exitCode = 1;
  }
}
