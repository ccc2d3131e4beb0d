/** A package's version, from its package.json as installed beside this CLI (skene itself, or @skene/sdk). */
import { createRequire } from 'node:module';

export function packageVersion(name: 'skene' | '@skene/sdk'): string {
  return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
}
