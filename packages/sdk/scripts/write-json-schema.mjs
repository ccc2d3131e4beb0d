// Writes dist/skene.schema.json from the built schema (run after tsc).
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../dist/index.js';
writeFileSync(new URL('../dist/skene.schema.json', import.meta.url), JSON.stringify(configJsonSchema(), null, 2) + '\n');
