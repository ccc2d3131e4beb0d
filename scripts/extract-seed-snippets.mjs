// Extracts the `skene.config.ts` snippet of each product page in ../shared/seeds into
// test/fixtures/seeds/<page>/skene.config.ts, byte for byte (the test compares them again).
import { readdirSync, readFileSync } from 'node:fs';

export function extractSnippet(page) {
  const start = page.indexOf('// skene.config.ts');
  if (start === -1) return undefined;
  const end = page.indexOf('});', start);
  return end === -1 ? undefined : page.slice(start, end + 3) + '\n';
}

export function seedSnippets(seedsDir) {
  return readdirSync(seedsDir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => {
      const page = readFileSync(`${seedsDir}/${f}`, 'utf8');
      const title = /Implementing .* with (.+)|Adding Activation to (.+?) Apps|What's Missing in Standard (.+?) Architecture/.exec(page);
      return { file: f, stack: (title?.[1] ?? title?.[2] ?? title?.[3] ?? '').trim(), snippet: extractSnippet(page) };
    });
}
