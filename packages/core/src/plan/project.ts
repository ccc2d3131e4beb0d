/**
 * One project's plan, as every surface runs it: the config loaded; the data source chosen (the
 * given URL, then DATABASE_URL, the config's `database.url`, an Upstash URL — else the embedded
 * PostgreSQL), opened and seeded; the loops planned; a base report compared (real values, before
 * any masking); recipients marked masked, so every renderer masks its output; and no password or
 * token in any error, and no address either when recipients are masked. The CLI and the Action only turn their inputs into this.
 */
import { compareReports } from '../report/compare.js';
import { createMasker } from '../report/mask.js';
import type { PlanReport } from '../report/model.js';
import type { Dialect } from '../dialect.js';
import { describeSource, openSource, type DataSource } from '../sources/index.js';
import { passwordOf, redact, sourceKindOf } from '../sources/url.js';
import { runPlan, type PlanOptions } from './engine.js';
import { planRendering, readyTemplates } from './rendering.js';
import type { RecipientState } from './recipient-state.js';
import { loadConfig } from './load-config.js';
import { chooseSeeds, explainMissingTables } from './seed-choice.js';

export interface PlanProjectOptions extends Omit<PlanOptions, 'config' | 'source' | 'rendering'> {
  configFile: string;
  /** Explicit URL (`--database-url`, the `database-url` input); see the precedence above. */
  databaseUrl?: string;
  /** Recipients in full; default masked (`j***@example.com`). */
  showRecipients?: boolean;
  /** A previous report to compare with (`--compare`, `compare-base`). */
  base?: { report: PlanReport; label: string };
  /**
   * The dialect the loops are written in, when the caller was told (the editor's `skene.dialect`).
   * A data source of another dialect fails before anything connects: every condition would fail.
   */
  dialect?: Dialect;
  /**
   * How the user points the plan at another seed, named when a table is missing: `--seed` (the
   * default), `the skene.seed setting`, `the seed input`.
   */
  seedOption?: string;
  /**
   * The runner's state, once the plan's URL is known (`skene plan --state-url`; run/plan-state.ts):
   * its suppressions are left out as the run leaves them out. Its warnings join the report's.
   */
  recipientStateFor?: (where: { url: string | undefined }) => Promise<{ state: RecipientState; warnings: string[]; close(): Promise<void> } | undefined>;
}

export interface PlanProjectResult {
  report: PlanReport;
  /** What the data source was, without secrets (e.g. "embedded PostgreSQL (PGlite)"). */
  sourceLabel: string;
}

export async function planProject(options: PlanProjectOptions): Promise<PlanProjectResult> {
  const env = options.env ?? process.env;
  const config = await loadConfig(options.configFile);
  const url = options.databaseUrl ?? (env.DATABASE_URL || undefined) ?? config.database?.url ?? (env.UPSTASH_REDIS_REST_URL || undefined);
  const token = config.database?.token ?? env.UPSTASH_REDIS_REST_TOKEN ?? env.SKENE_DATABASE_TOKEN;
  const secrets = [url, passwordOf(url), token];
  let source: DataSource | undefined;
  // The templates compile, and the first step's render thread starts, while the database opens.
  const rendering = planRendering(options);
  let recipients: Awaited<ReturnType<NonNullable<PlanProjectOptions['recipientStateFor']>>> = undefined;
  try {
    const kind = url ? sourceKindOf(url) : 'pglite'; // an unsupported scheme fails before anything connects
    const sourceDialect: Dialect = kind === 'pglite' ? 'postgres' : kind === 'upstash' ? 'redis' : kind;
    if (options.dialect && options.dialect !== sourceDialect) {
      throw new Error(
        `the dialect is ${options.dialect}, but the plan's database, ${describeSource(url)}, speaks ${sourceDialect}: ` +
          `give a database URL of the ${options.dialect} kind, or let the dialect follow the URL`,
      );
    }
    // No seed given and no URL: the project's seed beside the config, as check and the editor read it.
    const cwd = options.cwd ?? process.cwd();
    const seedChoice = chooseSeeds({ configFile: options.configFile, seeds: options.seeds, cwd, hasUrl: !!url });
    const seeds = seedChoice.seeds;
    let opening = true;
    readyTemplates({ ...options, config }, rendering, () => opening);
    // With seeds and a URL, this is a scratch database on the URL's server, dropped by close().
    source = await openSource({ url, token, seeds, cwd }).finally(() => (opening = false));
    recipients = await options.recipientStateFor?.({ url });
    const recipientState = recipients?.state ?? options.recipientState;
    let report = await runPlan({ ...options, seeds, cwd, env, config, source, recipientState, rendering });
    explainMissingTables(report, seedChoice, options.seedOption ?? '--seed');
    const opened = source;
    source = undefined;
    // What the source found when it opened (a role that can write, …), then whether the scratch
    // database was dropped: both are the report's warnings.
    const warnings = [...report.warnings, ...(opened.dialect !== 'redis' ? (opened.warnings ?? []) : []), ...(recipients?.warnings ?? [])];
    await opened.close().catch((error: unknown) => warnings.push(messageOf(error)));
    report = { ...report, warnings };
    // Compare first, on real values: a change of recipient is a change even where masks look alike.
    // (A masked base from disk carries digests of its real values; see compareReports.)
    const base = options.base;
    if (base) report = { ...report, comparison: compareReports(report, base.report, base.label) };
    // Masked: the report keeps its real values; every renderer masks what it writes (maskOutput).
    report = { ...report, recipients: options.showRecipients ? 'shown' : 'masked' };
    return { report, sourceLabel: opened.label };
  } catch (error) {
    let message = messageOf(error);
    const left = source;
    source = undefined;
    // Closing drops a scratch database; if that fails too, the message says so (and how to drop it).
    if (left) await left.close().catch((closeError: unknown) => (message += `; and ${messageOf(closeError)}`));
    // Drivers may echo connection details: never let a password or token reach a log. A seed's or
    // a database's error may quote the data (`invalid input syntax for type integer: "jane@…"`):
    // masked, as every output is, unless recipients are shown.
    message = redact(message, secrets);
    throw new Error(options.showRecipients ? message : createMasker()(message), { cause: error });
  } finally {
    await rendering.renderPools.close(); // when the plan did not start (runPlan closes it otherwise)
    await recipients?.close().catch(() => {});
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
