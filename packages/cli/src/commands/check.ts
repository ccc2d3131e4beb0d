import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
// The analysis entry only: `skene check` must not load the plan engine's drivers.
import { DIALECTS, dialectForUrl, sqlFilesUnder, type Dialect } from '@skene/core/analysis';
import { checkConfigFile, formatDiagnosticsText, toJsonDiagnostics } from '@skene/core/check';
import { EXIT, UsageError, parseOptions, type CliIO } from '../io.js';
import type { Command } from '../main.js';

export const checkCommand: Command = {
  name: 'check',
  usage: `Usage: skene check [config] [--dialect postgres|mysql|redis] [--schema file]... [--seed file|dir]... [--database-url url] [--format text|json]

  config           the config file (default: skene.config.ts)
  --dialect        SQL dialect of the data source (default: from the database URL, else postgres)
  --schema         SQL schema file(s) for table and column checks (default: the seed's and the migrations')
  --seed           the seed skene plan is given: its tables are the schema (default: the seed beside the
                   config — seed/, skene/seed, skene/seed.sql, seed.sql, supabase/seed.sql — as skene plan finds it)
  --database-url   only its scheme is read, to pick the dialect (default: DATABASE_URL)
  --format         text (default) or json

Exit status: 0 no errors (warnings allowed), 1 errors, 2 bad usage.`,
  async run(args, io) {
    const { values, positionals } = parse(args);
    if (positionals.length > 1) throw new UsageError(`expected one config file, got ${positionals.length}`);
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${format}'`);
    const dialect = values.dialect;
    if (dialect !== undefined && !(DIALECTS as readonly string[]).includes(dialect))
      throw new UsageError(`--dialect must be one of ${DIALECTS.join(', ')}, not '${dialect}'`);
    const file = resolve(io.cwd, positionals[0] ?? 'skene.config.ts');
    requireFile(file, 'config file', io.cwd);
    const schemaFiles = (values.schema ?? []).flatMap((s) => {
      if (!s) throw new UsageError('--schema needs a file or folder');
      const path = resolve(io.cwd, s);
      if (existsSync(path) && statSync(path).isDirectory()) return sqlFilesUnder(path);
      requireFile(path, 'schema file', io.cwd);
      return [path];
    });
    const url = values['database-url'];
    if (url !== undefined && !dialectForUrl(url))
      throw new UsageError(
        `--database-url: unsupported scheme '${url.split(':')[0]}'; use postgres://, mysql:// or redis:// (or rediss://, an Upstash https:// URL)`,
      );

    const seeds = values.seed ?? [];
    for (const seed of seeds) if (!existsSync(resolve(io.cwd, seed))) throw new UsageError(`seed not found: ${seed}`);
    const result = await checkConfigFile(file, {
      dialect: dialect as Dialect | undefined,
      databaseUrl: url ?? io.env.DATABASE_URL,
      schemaFiles,
      seeds,
      base: io.cwd,
    });
    const display = relative(io.cwd, file) || file;
    io.stdout(
      format === 'json'
        ? `${JSON.stringify(toJsonDiagnostics(result, display), null, 2)}\n`
        : formatDiagnosticsText(result, display, io.isTTY && !io.env.NO_COLOR),
    );
    return result.diagnostics.some((d) => d.severity === 'error') ? EXIT.errors : EXIT.ok;
  },
};

/** A regular, readable file, or a usage error saying what it is instead (a FIFO would block the read forever). */
function requireFile(path: string, what: string, cwd: string): void {
  const shown = relative(cwd, path) || path;
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new UsageError(`${what} not found: ${shown}`);
  }
  if (stat.isDirectory()) throw new UsageError(`${what} is a directory: ${shown}`);
  if (!stat.isFile()) throw new UsageError(`${what} is not a regular file: ${shown}`);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new UsageError(`cannot read ${what} ${shown}: permission denied`);
  }
}

function parse(args: string[]) {
  return parseOptions({
    args,
    allowPositionals: true,
    options: {
      dialect: { type: 'string' },
      schema: { type: 'string', multiple: true },
      seed: { type: 'string', multiple: true },
      'database-url': { type: 'string' },
      format: { type: 'string' },
    },
  });
}

export type { CliIO };
