// Subpaths, not the whole of core: `skene resume` should not load the editor analysis.
import { findConfig, loadConfig } from '@skene/core/plan';
import { resumeLoop } from '@skene/core/run';
import { EXIT, UsageError, parseOptions } from '../io.js';
import type { Command } from '../main.js';

export const resumeCommand: Command = {
  name: 'resume',
  usage: `Usage: skene resume <loop> [--config file] [--database-url url] [--state-url url]

  --config        the config (default: skene.config.ts in the current folder)
  --database-url  the database the runner works on; default DATABASE_URL, then database.url in the config
  --state-url     MySQL, TiDB and Redis sources: the state the runners keep, as \`skene run --state-url\`
                  (default SKENE_STATE_URL; else a redis:// source's own Redis; else .skene/state)

Clears a loop's pause (a provider quota, or its maxEmailsPerHour), so the next \`skene run\`
sends its deferred and queued work. The hourly cap counts again from the resume.
Exit status: 0 resumed (or not paused), 1 unknown loop or the database could not be reached, 2 bad usage.`,
  async run(args, io) {
    const { values, positionals } = parse(args);
    if (positionals.length !== 1)
      throw new UsageError(positionals.length ? `one loop at a time, not ${positionals.join(', ')}` : 'which loop? skene resume <loop>');
    const loop = positionals[0]!;
    const config = await loadConfig(await findConfig(values.config, io.cwd));
    const databaseUrl = values['database-url'] ?? (io.env.DATABASE_URL || undefined) ?? config.database?.url;
    if (!databaseUrl) throw new Error('no database URL: pass --database-url, set DATABASE_URL or database.url in the config');
    // An unknown loop is an error naming the config's loops (exit 1, printed by main).
    const stateUrl = values['state-url'] ?? (io.env.SKENE_STATE_URL || undefined);
    const result = await resumeLoop({ databaseUrl, stateUrl, cwd: io.cwd, config, loop });
    io.stdout(
      result.was
        ? `resumed ${loop}: it was paused since ${result.was.since} (${result.was.reason}); the next \`skene run\` sends its deferred work\n`
        : `${loop} is not paused: nothing to resume\n`,
    );
    return EXIT.ok;
  },
};

function parse(args: string[]) {
  return parseOptions({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      'database-url': { type: 'string' },
      'state-url': { type: 'string' },
    },
  });
}
