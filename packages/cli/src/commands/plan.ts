import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
// Subpaths, not the whole of core: `skene plan` should not load the editor analysis.
import { findConfig, parseDuration, planProject, readInstant } from '@skene/core/plan';
import { dropScratchOnSignals } from '@skene/core/sources';
import { parseBaseReport, renderHtml, renderJson, renderMarkdown, renderText, totalsLine, type PlanReport } from '@skene/core/report';
import { EXIT, UsageError, parseOptions, type CliIO } from '../io.js';
import type { Command } from '../main.js';

const FORMATS = ['text', 'markdown', 'json', 'html'] as const;

export const planCommand: Command = {
  name: 'plan',
  usage: `Usage: skene plan [--config file] [--seed file|dir]... [--database-url url] [--at iso] [--horizon duration]
                  [--since iso] [--format text|markdown|json|html] [--out file] [--compare base.json] [--show-recipients]
                  [--state-url url]

  --config          the config (default: skene.config.ts in the current folder)
  --seed            SQL files / a folder of them (run in name order), or a Redis command file; repeatable
                    default with no database URL: the seed beside the config (seed/, skene/seed,
                    skene/seed.sql, seed.sql, supabase/seed.sql), the tables skene check reads
  --database-url    postgres://, mysql://, redis://, or an Upstash REST URL (token: UPSTASH_REDIS_REST_TOKEN)
                    default: DATABASE_URL, then database.url in the config, else an embedded PostgreSQL (PGlite)
  --at              the instant to plan at, ISO 8601 (default: now — the report then says the clock is not pinned)
  --horizon         schedule triggers fire at each occurrence in [at, at + horizon) (default 1d)
  --since           database triggers count only rows created at or after this instant
  --format          text (default), markdown (GitHub comment / job summary), json, or html (one
                    self-contained page: each email rendered at desktop and mobile width; with --out)
  --out             write the report to this file instead of standard output
  --compare         a JSON report to compare with: emails added, removed and changed
  --show-recipients show recipient addresses (default: masked, j***@example.com)
  --state-url       the runner's state, as \`skene run --state-url\` (postgres:// or redis://): its
                    unsubscribed, bounced and complaining addresses are reported as not sent, and
                    its earlier sends count against limits.perUser.
                    Default: SKENE_STATE_URL; else a PostgreSQL or Redis database's own state;
                    else .skene/state (MySQL, TiDB, Upstash) or .skene/pglite (no URL), if present

Never sends, never writes: every query runs in a READ ONLY transaction that is rolled back.
With --seed and a database URL, the seed runs in a scratch database created on that server and
dropped after the plan (also on Ctrl-C), never in the URL's database.
Exit status: 0 plan made, 1 a loop had errors (or the plan could not run), 2 bad usage.`,
  async run(args, io) {
    const { values } = parse(args);
    const format = (values.format ?? 'text') as (typeof FORMATS)[number];
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be text, markdown, json or html, not '${values.format}'`);
    // A page of HTML on a terminal helps no one: it goes to a file (or to a redirected standard output).
    if (format === 'html' && !values.out && io.isTTY)
      throw new UsageError('--format html writes a page: add --out plan.html (or redirect standard output to a file)');
    const at = instantOption('at', values.at, '2026-03-02T09:00:00Z');
    const since = instantOption('since', values.since, '2026-03-01T00:00:00Z');
    if (values.horizon !== undefined && parseDuration(values.horizon) === undefined) {
      throw new UsageError(`--horizon must be a duration such as 12h, 1d or 7d, not '${values.horizon}'`);
    }

    const configFile = await findConfig(values.config, io.cwd);
    let base;
    if (values.compare) {
      const text = await readFile(resolve(io.cwd, values.compare), 'utf8').catch(() => {
        throw new Error(`--compare: cannot read ${values.compare}`);
      });
      base = { report: parseBaseReport(text, values.compare), label: values.compare };
    }

    const progress = io.isTTY && !io.env.CI ? progressLine(io) : undefined;
    // Ctrl-C / SIGTERM: drop the scratch database (with --seed and a URL) before exiting (130 / 143).
    const signals = dropScratchOnSignals({ log: (line) => io.stderr(`skene plan: ${line}\n`) });
    try {
      const { report } = await planProject({
        configFile,
        databaseUrl: values['database-url'],
        at,
        since,
        horizon: values.horizon,
        seeds: values.seed,
        cwd: io.cwd,
        env: io.env,
        showRecipients: values['show-recipients'],
        base,
        onProgress: progress?.update,
        // Read only, loaded only here: the runner's code is not needed for the rest of a plan.
        recipientStateFor: async (where) =>
          (await import('@skene/core/run')).planStateOpener({ stateUrl: values['state-url'] ?? (io.env.SKENE_STATE_URL || undefined), cwd: io.cwd })(where),
      });
      const output = render(report, format, io.isTTY && !io.env.NO_COLOR && !values.out);
      if (values.out) {
        await writeFile(resolve(io.cwd, values.out), output);
        io.stdout(`${totalsLine(report.totals, { separator: ', ', notSent: false })} — report written to ${values.out}\n`);
      } else {
        io.stdout(output);
      }
      return report.totals.errors > 0 ? EXIT.errors : EXIT.ok;
    } catch (error) {
      // Interrupted: the plan fails as its connections are ended; the handler exits once the drop is done.
      if (signals.interrupted) await signals.exiting;
      throw error;
    } finally {
      signals.dispose();
      progress?.done();
    }
  },
};

function render(report: PlanReport, format: (typeof FORMATS)[number], color: boolean): string {
  if (format === 'json') return renderJson(report);
  if (format === 'markdown') return renderMarkdown(report);
  if (format === 'html') return renderHtml(report);
  return renderText(report, { color });
}

/** `--at` / `--since`: an ISO 8601 instant that exists (no February 30, no hour 24), else a usage error. */
function instantOption(name: 'at' | 'since', value: string | undefined, example: string): Date | undefined {
  if (value === undefined) return undefined;
  const read = readInstant(value);
  if ('date' in read) return read.date;
  if (read.problem) throw new UsageError(`--${name} ${value} is not a time that exists: ${read.problem}`);
  throw new UsageError(`--${name} must be an ISO 8601 time such as ${example}, not '${value}'`);
}

/** A one-line progress indicator on stderr, shown only when a run takes a while. */
function progressLine(io: CliIO) {
  const started = Date.now();
  let shown = false;
  return {
    update(p: { loop: string; step: number; done: number }) {
      if (Date.now() - started < 1000) return;
      shown = true;
      io.stderr(`\r\x1b[2K${p.loop} step ${p.step}: ${p.done.toLocaleString('en-US')} events…`);
    },
    done() {
      if (shown) io.stderr('\r\x1b[2K');
      shown = false;
    },
  };
}

function parse(args: string[]) {
  return parseOptions({
    args,
    allowPositionals: false,
    options: {
      config: { type: 'string' },
      seed: { type: 'string', multiple: true },
      'database-url': { type: 'string' },
      at: { type: 'string' },
      horizon: { type: 'string' },
      since: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      compare: { type: 'string' },
      'show-recipients': { type: 'boolean' },
      'state-url': { type: 'string' },
    },
  });
}
