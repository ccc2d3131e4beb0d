/**
 * The peer of the LSP bench (issue 17): the same generated loops as a YAML document validated by
 * yaml-language-server against Skene's JSON Schema (packages/sdk/dist/skene.schema.json, written
 * by `npm run build`). The YAML is derived from the generated TypeScript config itself, so both
 * servers always see the same loops.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import { CAPABILITIES, REPO, startServer, type Server } from '../test/lsp/lsp-client.js';

export const SCHEMA_FILE = `${REPO}packages/sdk/dist/skene.schema.json`;
export const YAML_SERVER_BIN = `${REPO}node_modules/yaml-language-server/bin/yaml-language-server`;
/** yaml-language-server validates 200 ms after an open or a change (yamlSettings.validationDelayMs, not a setting). */
export const YAML_DEBOUNCE_MS = 200;

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/**
 * The loops of a generated config (bench/stats.ts `generatedConfig`): its `defineConfig({...})`
 * argument is a plain object literal, evaluated here without the sdk import. Only ever run on
 * text this bench generated.
 */
export function loopsOf(configText: string): Value[] {
  const start = configText.indexOf('defineConfig(') + 'defineConfig('.length;
  const end = configText.lastIndexOf(')');
  const config = runInNewContext(`(${configText.slice(start, end)})`) as { loops: Value[] };
  // Through JSON: plain objects of this realm, and a check that nothing but data came back.
  return JSON.parse(JSON.stringify(config.loops)) as Value[];
}

/** A plain scalar where YAML reads it back as the same string, else a double-quoted one (JSON's escapes are YAML's). */
function scalar(value: string | number | boolean | null): string {
  if (typeof value !== 'string') return String(value);
  const plain = /^[A-Za-z_][A-Za-z0-9_ ./-]*$/.test(value) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(value) && !value.endsWith(' ');
  return plain ? value : JSON.stringify(value);
}

/** A mapping or sequence with something in it: written as a block. Empty ones are written inline. */
function isBlock(value: Value): value is Value[] | { [key: string]: Value } {
  return value !== null && typeof value === 'object' && Object.keys(value).length > 0;
}

function inline(value: Value): string {
  if (Array.isArray(value)) return '[]';
  return value !== null && typeof value === 'object' ? '{}' : scalar(value);
}

/** Block-style YAML, as a person writes it: mappings and sequences indented by two spaces. */
export function toYaml(value: Value, indent = ''): string {
  if (!isBlock(value)) return `${indent}${inline(value)}\n`;
  if (Array.isArray(value)) return value.map((item) => `${indent}- ${toYaml(item, indent + '  ').slice(indent.length + 2)}`).join('');
  return Object.entries(value)
    .map(([key, item]) => (isBlock(item) ? `${indent}${key}:\n${toYaml(item, indent + '  ')}` : `${indent}${key}: ${inline(item)}\n`))
    .join('');
}

export interface YamlDocument {
  file: string;
  uri: string;
  text: string;
}

/** `skene.yaml` in `dir`: the config's loops as `loops: [...]`. */
export function writeYamlDocument(dir: string, configText: string): YamlDocument {
  const file = join(dir, 'skene.yaml');
  const text = toYaml({ loops: loopsOf(configText) });
  writeFileSync(file, text);
  return { file, uri: pathToFileURL(file).href, text };
}

export function yamlServerInstalled(): boolean {
  return existsSync(YAML_SERVER_BIN) && existsSync(SCHEMA_FILE);
}

/**
 * yaml-language-server over stdio, with the schema mapped to the document by the `yaml.schemas`
 * setting (what an editor's settings do). The schema store is off: its catalogue is fetched
 * from the network, which a bench must not wait for.
 */
export function startYamlServer(doc: YamlDocument): Promise<Server> {
  return startServer({
    command: [YAML_SERVER_BIN, '--stdio'],
    rootUri: pathToFileURL(join(doc.file, '..')).href,
    // Without workspaceFolders its `initialized` handler throws before it asks for its settings.
    capabilities: { ...CAPABILITIES, workspace: { ...CAPABILITIES.workspace, workspaceFolders: true } },
    // Every section the server asks for (yaml, http, [yaml], editor) gets this object; it reads only its own keys.
    settings: {
      schemas: { [pathToFileURL(SCHEMA_FILE).href]: [doc.file] },
      schemaStore: { enable: false },
      validate: true,
      completion: true,
      hover: true,
    },
  });
}
