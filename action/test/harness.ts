/**
 * Runs the BUILT action (action/dist/index.js) the way the Actions runner does: a `node` child
 * process with a clean environment of `INPUT_*` variables (upper-cased, dashes kept), the
 * GITHUB_* files and the event payload, and parses what the runner would read back: workflow
 * commands on stdout (annotations, masks), the step summary file and the output file.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** SKENE_ACTION_DIST: a build elsewhere (`node action/scripts/build.mjs --outdir <dir>`), to test changes before dist/ is rebuilt. */
export const BUILT_DIST = process.env.SKENE_ACTION_DIST || join(ROOT, 'action', 'dist');
export const EXAMPLES = join(ROOT, 'examples');

const installed = new Map<string, string>();
/**
 * The runner checks the action out alone (`_actions/<owner>/<repo>/<ref>/action/dist`): no
 * node_modules anywhere above it. So the tests run a copy of dist/ in the OS temp folder, where
 * a package missing from the bundle fails as it would on GitHub, instead of being found in this
 * repository's node_modules. One copy per test process (and variant).
 *
 * Variant `wasm`: without the native esbuild binary, as on runners other than linux-x64.
 */
export function installedDist(variant: 'native' | 'wasm' = 'native'): string {
  const done = installed.get(variant);
  if (done) return done;
  const root = mkdtempSync(join(tmpdir(), `skene-action-install-${variant}-`));
  const dist = join(root, 'action', 'dist');
  cpSync(BUILT_DIST, dist, { recursive: true, filter: (src) => !src.split(/[\\/]/).includes('.cache') });
  cpSync(join(ROOT, 'action', 'action.yml'), join(root, 'action', 'action.yml'));
  if (variant === 'wasm') rmSync(join(dist, 'node_modules', 'esbuild', 'native', `${process.platform}-${process.arch}`), { recursive: true, force: true });
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));
  const entry = join(dist, 'index.js');
  installed.set(variant, entry);
  return entry;
}

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

export interface ActionRun {
  status: number | null;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
  commands: WorkflowCommand[];
  annotations: WorkflowCommand[];
  /** `::error::` without a file: what `core.setFailed` writes. */
  failure?: string;
  wallMs: number;
}

export interface RunOptions {
  workspace: string;
  inputs: Record<string, string>;
  event?: unknown;
  eventName?: string;
  apiUrl?: string;
  repository?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Which copy of dist/ runs (see installedDist). */
  variant?: 'native' | 'wasm';
}

/** A scratch folder standing for the runner's machine: workspace, RUNNER_TEMP, the GITHUB_* files. */
export class Runner {
  readonly dir = mkdtempSync(join(tmpdir(), 'skene-action-test-'));
  readonly workspace = join(this.dir, 'workspace');
  readonly temp = join(this.dir, 'runner-temp');
  private runs = 0;

  constructor() {
    mkdirSync(this.workspace, { recursive: true });
    mkdirSync(this.temp, { recursive: true });
  }

  /** Copies an example project into the workspace (under `sub`, default the workspace root). */
  copyExample(name: string, sub = '.'): string {
    const to = join(this.workspace, sub);
    cpSync(join(EXAMPLES, name), to, { recursive: true, filter: (src) => !src.includes('node_modules') });
    return to;
  }

  write(path: string, text: string): void {
    const abs = join(this.workspace, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
  }

  read(path: string): string {
    return readFileSync(join(this.workspace, path), 'utf8');
  }

  async run(options: Omit<RunOptions, 'workspace'>): Promise<ActionRun> {
    const n = ++this.runs;
    const summaryFile = join(this.dir, `step-summary-${n}.md`);
    const outputFile = join(this.dir, `output-${n}.txt`);
    const eventFile = join(this.dir, `event-${n}.json`);
    writeFileSync(summaryFile, '');
    writeFileSync(outputFile, '');
    writeFileSync(eventFile, JSON.stringify(options.event ?? {}, null, 2));
    return runAction({ ...options, workspace: this.workspace }, { summaryFile, outputFile, eventFile, temp: this.temp });
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function runAction(options: RunOptions, files: { summaryFile: string; outputFile: string; eventFile: string; temp: string }): Promise<ActionRun> {
  const env: Record<string, string> = {
    // A clean environment, as on a runner: nothing from the test process's GITHUB_*/INPUT_*.
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_STEP_SUMMARY: files.summaryFile,
    GITHUB_OUTPUT: files.outputFile,
    GITHUB_EVENT_PATH: files.eventFile,
    GITHUB_EVENT_NAME: options.eventName ?? 'pull_request',
    GITHUB_REPOSITORY: options.repository ?? 'acme/app',
    GITHUB_API_URL: options.apiUrl ?? 'http://127.0.0.1:9',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: 'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed',
    RUNNER_TEMP: files.temp,
    ...options.env,
  };
  // The runner sets every input: the workflow's `with:` values over action.yml's defaults.
  for (const [name, value] of Object.entries({ ...actionDefaults(), ...options.inputs })) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;

  const started = performance.now();
  const child = spawn(process.execPath, [installedDist(options.variant)], { cwd: options.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000);
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  const wallMs = performance.now() - started;

  const commands = parseCommands(stdout);
  return {
    status,
    stdout,
    stderr,
    summary: existsSync(files.summaryFile) ? readFileSync(files.summaryFile, 'utf8') : '',
    outputs: parseOutputs(readFileSync(files.outputFile, 'utf8')),
    commands,
    annotations: commands.filter((c) => ['error', 'warning', 'notice'].includes(c.command) && c.properties.file),
    failure: commands.find((c) => c.command === 'error' && !c.properties.file)?.message,
    wallMs,
  };
}

/** The job's token, as the runner evaluates `${{ github.token }}`. */
export const JOB_TOKEN = 'ghs_installation_token';

let defaults: Record<string, string> | undefined;
/** action.yml's input defaults (a small reader for its `inputs:` block), expressions evaluated. */
export function actionDefaults(): Record<string, string> {
  if (defaults) return defaults;
  const lines = readFileSync(join(ROOT, 'action', 'action.yml'), 'utf8').split('\n');
  const out: Record<string, string> = {};
  let inInputs = false;
  let current: string | undefined;
  for (const line of lines) {
    if (/^\S/.test(line)) inInputs = line.startsWith('inputs:');
    if (!inInputs) continue;
    const name = /^  ([a-z-]+):\s*$/.exec(line);
    if (name) current = name[1];
    const value = /^    default:\s*(.*)$/.exec(line);
    if (value && current) {
      let v = value[1]!.trim();
      if (/^'.*'$/.test(v) || /^".*"$/.test(v)) v = v.slice(1, -1);
      out[current] = v.replace(/\$\{\{\s*github\.token\s*\}\}/, JOB_TOKEN);
    }
  }
  defaults = out;
  return out;
}

function unescapeData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function unescapeProperty(s: string): string {
  return unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',');
}

/** `::command key=value,key=value::message` lines, as the runner parses them. */
export function parseCommands(stdout: string): WorkflowCommand[] {
  const out: WorkflowCommand[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line.replace(/\r$/, ''));
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
    out.push({ command: m[1]!, properties, message: unescapeData(m[3]!) });
  }
  return out;
}

/** The GITHUB_OUTPUT file: `name<<delimiter\nvalue\ndelimiter` blocks. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (m) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
      out[m[1]!] = value.join('\n');
    } else if (lines[i]!.includes('=')) {
      const eq = lines[i]!.indexOf('=');
      out[lines[i]!.slice(0, eq)] = lines[i]!.slice(eq + 1);
    }
  }
  return out;
}

/** A pull_request event payload as GitHub sends it (the fields the action reads, and some it does not). */
export function pullRequestEvent(options: { number?: number; headSha?: string; baseSha?: string; owner?: string; repo?: string } = {}) {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'app';
  const number = options.number ?? 42;
  return {
    action: 'synchronize',
    number,
    pull_request: {
      number,
      state: 'open',
      title: 'Change the re-engagement loop',
      user: { login: 'octocat', type: 'User' },
      head: { ref: 'feature', sha: options.headSha ?? 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', repo: { full_name: `${owner}/${repo}` } },
      base: { ref: 'main', sha: options.baseSha ?? '0123456789abcdef0123456789abcdef01234567', repo: { full_name: `${owner}/${repo}` } },
      updated_at: '2026-01-15T09:30:00Z',
    },
    repository: { name: repo, full_name: `${owner}/${repo}`, owner: { login: owner } },
    sender: { login: 'octocat', type: 'User' },
  };
}
