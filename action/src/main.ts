/**
 * The action: check the config (annotations), plan it (and the base's, with compare-base), write
 * the job summary and the sticky comment, set the outputs, and enforce max-emails. Every failure
 * ends the step through `core.setFailed` with a message; stack traces go to the debug log only.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, delimiter, dirname, join, relative, resolve } from 'node:path';
import * as core from '@actions/core';
import type * as github from '@actions/github';
import {
  checkConfigFile,
  createMasker,
  dropScratchOnSignals,
  emptyReport,
  maskOutput,
  plural,
  renderHtml,
  renderJson,
  toJsonDiagnostics,
  toPosix,
  totalsLine,
  type PlanReport,
} from '@skene/core';
import { keepWasmCodeOnNode24 } from '@skene/core/v8-flags';
import { annotate } from './annotations.js';
import { describeOutcome, logOutcome, upsertComment, type CommentOutcome } from './comment.js';
import { checkFailedComment, diagnosticsMarkdown } from './diagnostics.js';
import { ActionError, messageOf } from './errors.js';
import { baseConfigText, headCommitTime, readEvent, type EventInfo } from './event.js';
import { readInputs } from './inputs.js';
import { fence } from './markdown.js';
import { usePackedFiles } from './packed.js';
import { expandSeeds, planProject, type PlanInputs } from './plan.js';
import { commentMarkdown, overLimitMessage, summaryMarkdown } from './summary.js';

type Octokit = ReturnType<typeof github.getOctokit>;

/** Whether this step's summary is written (a failure before that writes a short one). */
let summaryWritten = false;

export async function run(): Promise<void> {
  // Before any WebAssembly: the plan's PGlite and parser threads come and go (see v8-flags.ts).
  keepWasmCodeOnNode24();
  // A cancelled run gets SIGINT (then SIGTERM): drop the scratch databases (seed + database-url) first.
  const signals = dropScratchOnSignals({ log: (line) => core.warning(line) });
  // Recipients are masked unless the inputs say to show them (and until the inputs are read).
  const recipients = { shown: false };
  try {
    await main(recipients);
  } catch (error) {
    if (signals.interrupted) await signals.exiting;
    const detail = error instanceof ActionError ? (error.cause as Error | undefined) : (error as Error);
    if (detail) core.debug(detail instanceof Error && detail.stack ? detail.stack : String(detail));
    // The step's failure and the failure summary, like every output: no address unless asked.
    const message = recipients.shown ? messageOf(error) : createMasker()(messageOf(error));
    if (!summaryWritten) {
      try {
        await writeSummary(failureMarkdown(message));
      } catch {
        // the failure itself is what matters
      }
    }
    core.setFailed(message);
  } finally {
    signals.dispose();
  }
}

function planErrorsMessage(report: PlanReport): string {
  const errors = report.loops.flatMap((l) => l.steps.flatMap((st) => st.errors));
  const first = errors[0];
  return `the plan has ${plural(errors.length, 'error')}${first ? `; ${first.loop} step ${first.step}: ${first.message}` : ''}${errors.length > 1 ? ' (all in the job summary)' : ''}`;
}

/** The step's job summary (appended: other steps of the job keep theirs). Outside Actions, skipped. */
async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info('GITHUB_STEP_SUMMARY is not set (not on a runner): no job summary written.');
  } else {
    await core.summary.addRaw(markdown, true).write();
  }
  summaryWritten = true;
}

function failureMarkdown(message: string): string {
  return `## Skene plan failed\n\n${fence(message, 'text')}\n`;
}

async function main(recipients: { shown: boolean }): Promise<void> {
  // Where the native esbuild is not shipped (not linux-x64), esbuild-wasm runs as `node …`: this node.
  process.env.PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
  // From dist/: PGlite's files are unpacked from their compressed copies before any database opens.
  usePackedFiles();

  const inputs = readInputs();
  recipients.shown = inputs.showRecipients;
  const event = readEvent();
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const configAbs = resolve(inputs.workingDirectory, inputs.config);
  const display = toPosix(relative(workspace, configAbs)) || inputs.config;
  if (!existsSync(configAbs)) {
    throw new ActionError(`config file not found: ${display}. Set the \`config\` input (relative to working-directory) or \`working-directory\`.`);
  }
  const octokit = inputs.githubToken ? await octokitFor(inputs.githubToken) : undefined;
  const commentOn = commentTarget(inputs.comment, event, octokit, display);

  // 1. The static check: annotations at the config's lines; errors stop here.
  const started = performance.now();
  // Checked against the tables of the seed the plan loads (the `seed` input, else the seed beside the config).
  const checkSeeds = await expandSeeds(inputs.seed, inputs.workingDirectory).catch(() => []);
  const check = await checkConfigFile(configAbs, {
    databaseUrl: inputs.databaseUrl ?? (process.env.DATABASE_URL || undefined),
    seeds: checkSeeds,
    base: inputs.workingDirectory,
  });
  core.info(`skene check ${display}: ${plural(check.diagnostics.length, 'diagnostic')} (${seconds(started)}).`);
  const diagnostics = toJsonDiagnostics(check, display);
  const counts = annotate(diagnostics);
  if (counts.errors > 0) {
    // The sticky comment must not keep showing the last good plan as if it were this commit's.
    const written = commentOn ? await writeComment(commentOn, checkFailedComment(display, diagnostics, counts, event.headSha)) : {};
    if (written.error) core.warning(messageOf(written.error));
    core.setOutput('comment-id', written.outcome?.id !== undefined ? String(written.outcome.id) : '');
    const note =
      commentOn && (written.outcome ? describeOutcome(written.outcome, commentOn.issueNumber) : written.error ? messageOf(written.error) : undefined);
    await writeSummary(diagnosticsMarkdown(display, check, diagnostics, counts) + (note ? `\n**Pull-request comment:** ${note}\n` : ''));
    const first = diagnostics.find((d) => d.severity === 'error')!;
    throw new ActionError(`${display} has ${plural(counts.errors, 'error')} (annotated); the first, at line ${first.line}: ${first.code} ${first.message}`);
  }

  // 2. The plan, at the pinned clock (and the base's, for compare-base).
  const clock = inputs.at ? { at: inputs.at, source: 'the `at` input' } : await headCommitTime(event, inputs.workingDirectory, octokit);
  core.info(`Planning ${display} at ${clock.at} (${clock.source}).`);
  const planInputs: PlanInputs = {
    configFile: configAbs,
    seed: inputs.seed,
    databaseUrl: inputs.databaseUrl,
    at: clock.at,
    cwd: inputs.workingDirectory,
    showRecipients: inputs.showRecipients,
  };
  let base: { report: PlanReport; label: string } | undefined;
  let baseNote: string | undefined;
  if (inputs.compareBase) {
    ({ base, note: baseNote } = await planBase(configAbs, event, planInputs));
    if (baseNote) core.warning(baseNote);
  }
  const planStarted = performance.now();
  const plan = await core.group(`skene plan ${display}`, () => planProject(planInputs, base));
  core.info(`Planned in ${seconds(planStarted)}.`);
  const seeds = plan.report.source.seeds;

  // 3. The JSON report, for the `report` output (upload it as an artifact, or compare with it), and
  // beside it the HTML page (`html-report`): each email as it would look, for the reviewer.
  const reportDir = join(process.env.RUNNER_TEMP || inputs.workingDirectory, 'skene-plan');
  mkdirSync(reportDir, { recursive: true });
  const reportPath = join(reportDir, `${display.replace(/[^A-Za-z0-9._-]+/g, '_')}.json`);
  writeFileSync(reportPath, renderJson(plan.report));
  core.setOutput('report', reportPath);
  const htmlPath = reportPath.replace(/\.json$/, '.html');
  writeFileSync(htmlPath, renderHtml(plan.report));
  core.setOutput('html-report', htmlPath);
  core.setOutput('emails', String(plan.emails));

  // 4. The sticky comment (pull requests only), then the summary, which says what happened to it.
  // The summary still gets the plan when the comment fails; the step fails after it.
  const { outcome, error: commentError } = commentOn ? await writeComment(commentOn, commentMarkdown(plan, { config: display, seeds, baseNote })) : {};
  core.setOutput('comment-id', outcome && outcome.id !== undefined ? String(outcome.id) : '');

  const summary = summaryMarkdown(plan, {
    config: display,
    clock,
    headSha: event.headSha,
    seeds,
    baseNote,
    commentNote: outcome && commentOn ? describeOutcome(outcome, commentOn.issueNumber) : commentError ? messageOf(commentError) : undefined,
    checkWarnings: counts.warnings,
  });
  await writeSummary(summary);
  if (commentError) throw commentError;

  // 5. The blast-radius guard: after the summary and the comment, so the reviewer sees why.
  if (inputs.maxEmails !== undefined && plan.emails > inputs.maxEmails) throw new ActionError(overLimitMessage(plan, inputs.maxEmails));
  const t = plan.report.totals;
  core.info(totalsLine(t));
  // A loop that fails in the plan would fail in production (as `skene plan` exits 1).
  if (t.errors > 0) throw new ActionError(maskOutput(planErrorsMessage(plan.report), plan.report));
}

/** `@actions/github` reads the event file when it is imported: only after readEvent has checked it. */
async function octokitFor(token: string): Promise<Octokit> {
  const { getOctokit } = await import('@actions/github');
  return getOctokit(token);
}

interface CommentOn {
  octokit: Octokit;
  owner: string;
  repo: string;
  issueNumber: number;
  key: string;
}

/** Where the sticky comment goes, or undefined (logged: off, not a pull request, no token). */
function commentTarget(mode: 'update' | 'off', event: EventInfo, octokit: Octokit | undefined, key: string): CommentOn | undefined {
  const pr = event.pullRequest;
  if (mode !== 'update') return undefined;
  if (!pr) {
    core.info(`Not a pull request event (${event.name || 'unknown'}): no comment; the job summary has the result.`);
    return undefined;
  }
  if (!event.owner || !event.repo) return undefined;
  if (!octokit) {
    core.warning('No github-token: the pull-request comment is not written (the job summary has the result).');
    return undefined;
  }
  return { octokit, owner: event.owner, repo: event.repo, issueNumber: pr.number, key };
}

async function writeComment(on: CommentOn, body: string): Promise<{ outcome?: CommentOutcome; error?: unknown }> {
  try {
    const outcome = await upsertComment(on.octokit, { owner: on.owner, repo: on.repo, issueNumber: on.issueNumber, key: on.key }, body);
    logOutcome(outcome, on.issueNumber);
    return { outcome };
  } catch (error) {
    return { error };
  }
}

/**
 * The base's config (`git show <base-sha>:<config>`) planned against the same seed. It is written
 * beside the head's config (a hidden file, removed at once) so that its relative imports and
 * emails/ resolve the same way.
 */
async function planBase(configAbs: string, event: EventInfo, inputs: PlanInputs): Promise<{ base?: { report: PlanReport; label: string }; note?: string }> {
  const pr = event.pullRequest;
  if (!pr?.baseSha) return { note: 'compare-base needs a pull_request event; nothing to compare with.' };
  const short = pr.baseSha.slice(0, 7);
  const label = `base ${short}${pr.baseRef ? ` (${pr.baseRef})` : ''}`;
  const text = baseConfigText(configAbs, pr.baseSha);
  if (text === undefined) return { note: `the base commit ${short} is not in the checkout; use actions/checkout with \`fetch-depth: 0\` to compare with it.` };
  if (text === null) return { base: { report: emptyReport(), label }, note: undefined };
  const file = join(dirname(configAbs), `.skene-base-${process.pid}-${basename(configAbs)}`);
  writeFileSync(file, text);
  try {
    const run = await core.group(`skene plan (${label})`, () => planProject({ ...inputs, configFile: file, showRecipients: true }));
    return { base: { report: run.report, label } };
  } catch (error) {
    // The base is planned with real values (to compare them); its error is masked like the head's.
    const reason = inputs.showRecipients ? messageOf(error) : createMasker()(messageOf(error));
    return { note: `planning the base's config (${short}) failed, so there is no comparison: ${reason}` };
  } finally {
    rmSync(file, { force: true });
  }
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}
