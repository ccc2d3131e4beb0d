// Subpaths, not the whole of core: `skene status` should not load the editor analysis.
import { ConfigError, findConfig, loadConfig, type LoadedConfig } from '@skene/core/plan';
import { goalStatusLine, runStatus, type RunStatus } from '@skene/core/run';
import { EXIT, UsageError, parseOptions } from '../io.js';
import type { Command } from '../main.js';

const FORMATS = ['text', 'json'] as const;

export const statusCommand: Command = {
  name: 'status',
  usage: `Usage: skene status [--config file] [--database-url url] [--state-url url] [--format text|json]

  --config        the config (default: skene.config.ts in the current folder; optional)
  --database-url  the database the runner works on; default DATABASE_URL, then database.url in the config
  --state-url     MySQL, TiDB and Redis sources: the state the runners keep, as \`skene run --state-url\`
                  (default SKENE_STATE_URL; else a redis:// source's own Redis; else .skene/state)
  --format        text (default) or json

What \`skene run\` has done, per loop and step: emails sent and failed (with the last error),
events waiting for their condition, expired and skipped, paused loops, a schedule's next
occurrence, and for a loop with a goal: converted, the conversion rate and the median time to
convert. Counts only: no address is shown.
Exit status: 0 shown, 1 it could not be read, 2 bad usage.`,
  async run(args, io) {
    const { values } = parse(args);
    const format = (values.format ?? 'text') as (typeof FORMATS)[number];
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be text or json, not '${values.format}'`);
    const config = await optionalConfig(values.config, io.cwd);
    const databaseUrl = values['database-url'] ?? (io.env.DATABASE_URL || undefined) ?? config?.database?.url;
    if (!databaseUrl) throw new Error('no database URL: pass --database-url, set DATABASE_URL or database.url in the config');
    const stateUrl = values['state-url'] ?? (io.env.SKENE_STATE_URL || undefined);
    const status = await runStatus({ databaseUrl, stateUrl, cwd: io.cwd, config });
    io.stdout(format === 'json' ? `${JSON.stringify(status, null, 2)}\n` : renderStatus(status));
    return EXIT.ok;
  },
};

/** The config names the loops and steps to list; without one, the state's own are listed. */
async function optionalConfig(given: string | undefined, cwd: string): Promise<LoadedConfig | undefined> {
  try {
    return await loadConfig(await findConfig(given, cwd));
  } catch (error) {
    if (!given && error instanceof ConfigError) return undefined;
    throw error;
  }
}

export function renderStatus(status: RunStatus): string {
  const lines = [`Runner state in ${status.database}`];
  if (!status.started) lines.push('  skene run has not run on this database yet.');
  for (const loop of status.loops) {
    lines.push('', `${loop.id}${loop.paused ? `  PAUSED since ${loop.paused.since}: ${loop.paused.reason}` : ''}`);
    for (const s of loop.steps) {
      const counts = [`${s.sent} sent`, `${s.waiting} waiting`, `${s.expired} expired`, `${s.failed} failed`, `${s.skipped} skipped`];
      if (s.sending) counts.push(`${s.sending} sending`);
      lines.push(`  step ${s.step} (${s.trigger}): ${counts.join(', ')}`);
      if (s.goal) lines.push(`    ${goalStatusLine(s.goal)}`);
      if (s.nextOccurrence) lines.push(`    next occurrence: ${s.nextOccurrence}`);
      if (s.lastError) lines.push(`    last error: ${s.lastError}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function parse(args: string[]) {
  return parseOptions({
    args,
    allowPositionals: false,
    options: {
      config: { type: 'string' },
      'database-url': { type: 'string' },
      'state-url': { type: 'string' },
      format: { type: 'string' },
    },
  });
}
