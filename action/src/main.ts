/**
 * The action: check the config (annotations), plan it (and the base's, with compare-base), write
 * the job summary and the sticky comment, set the outputs, and enforce max-emails. Every failure
 * ends the step through `core.setFailed` with a message; stack traces go to the debug log only.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import * as core from '@actions/core';
import * as github from '@actions/github';
import { checkConfigFile, toJsonDiagnostics } from '@skene/core';
import { annotate } from './annotations.js';
import { describeOutcome, logOutcome, upsertComment, type CommentOutcome } from './comment.js';
import { ActionError, messageOf } from './errors.js';
import { baseConfigText, headCommitTime, readEvent } from './event.js';
import { readInputs } from './inputs.js';
import { planProject, type PlanRun } from './plan.js';
import { diagnosticsMarkdown } from './diagnostics.js';
import { commentMarkdown, summaryMarkdown, overLimitMessage } from './summary.js';

export async function run(): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (!(error instanceof ActionError)) core.debug(error instanceof Error && error.stack ? error.stack : String(error));
    core.setFailed(messageOf(error));
  }
}

async function main(): Promise<void> {
  // esbuild-wasm (email templates) runs as `node …`: make sure that is the node running us.
  process.env.PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;

  const inputs = readInputs();
  const event = readEvent();
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const configAbs = resolve(inputs.workingDirectory, inputs.config);
  const display = toPosix(relative(workspace, configAbs)) || inputs.config;
  if (!existsSync(configAbs)) {
    throw new ActionError(`config file not found: ${display}. Set the \`config\` input (relative to working-directory) or \`working-directory\`.`);
  }
  const octokit = inputs.githubToken ? github.getOctokit(inputs.githubToken) : undefined;

  // 1. Static check: annotations at the config's lines; errors stop here.
  const check = await checkConfigFile(configAbs, { databaseUrl: inputs.databaseUrl });
  const diagnostics = toJsonDiagnostics(check, display);
  const counts = annotate(diagnostics);
  if (counts.errors > 0) {
    await core.summary.addRaw(diagnosticsMarkdown(display, check, diagnostics, counts), true).write();
    throw new ActionError(`${display} has ${counts.errors} error${counts.errors === 1 ? '' : 's'} (see the annotations): ${diagnostics.find((d) => d.severity === 'error')!.message}`);
  }

  // 2. The plan, at the pinned clock.
  const clock = inputs.at ? { at: inputs.at, source: 'the `at` input' } : await headCommitTime(event, inputs.workingDirectory, octokit);
  core.info(`Planning ${display} at ${clock.at} (${clock.source}).`);
  const options = { configFile: configAbs, seed: inputs.seed, databaseUrl: inputs.databaseUrl, at: clock.at, cwd: inputs.workingDirectory, showRecipients: inputs.showRecipients };

  let base: PlanRun | undefined;
  let baseNote: string | undefined;
  if (inputs.compareBase) {
    ({ base, note: baseNote } = await planBase(configAbs, event.pullRequest?.baseSha, options));
    if (baseNote) core.warning(baseNote);
  }
  const plan = await planProject({ ...options, compareWith: base?.report });

  // 3. The JSON report, for the `report` output (and artifacts).
  const reportDir = join(process.env.RUNNER_TEMP || inputs.workingDirectory, 'skene-plan');
  mkdirSync(reportDir, { recursive: true });
  const reportPath = join(reportDir, `${display.replace(/[^A-Za-z0-9._-]+/g, '_')}.json`);
  writeFileSync(reportPath, JSON.stringify(plan.report, null, 2) + '\n');
  core.setOutput('report', reportPath);
  core.setOutput('emails', String(plan.emails));

  // 4. The sticky comment (pull requests only), then the summary, which says what happened to it.
  let outcome: CommentOutcome | undefined;
  const pr = event.pullRequest;
  if (inputs.comment === 'update' && pr && event.owner && event.repo) {
    if (!octokit) core.warning('No github-token: the plan comment is not written.');
    else {
      outcome = await upsertComment(octokit, { owner: event.owner, repo: event.repo, issueNumber: pr.number, key: display }, commentMarkdown(plan, { config: display, baseNote }));
      logOutcome(outcome, pr.number);
    }
  }
  core.setOutput('comment-id', outcome && 'id' in outcome && outcome.id !== undefined ? String(outcome.id) : '');

  await core.summary
    .addRaw(summaryMarkdown(plan, { config: display, clock, headSha: event.headSha, baseNote, commentNote: outcome && pr ? describeOutcome(outcome, pr.number) : undefined, warnings: diagnostics }), true)
    .write();

  // 5. The blast-radius guard.
  if (inputs.maxEmails !== undefined && plan.emails > inputs.maxEmails) throw new ActionError(overLimitMessage(plan, inputs.maxEmails));
  core.info(`${plan.emails} email${plan.emails === 1 ? '' : 's'} would be sent.`);
}

async function planBase(
  configAbs: string,
  baseSha: string | undefined,
  options: Omit<Parameters<typeof planProject>[0], 'compareWith'>,
): Promise<{ base?: PlanRun; note?: string }> {
  if (!baseSha) return { note: 'compare-base: not a pull request event, so there is no base to compare with.' };
  const text = baseConfigText(configAbs, baseSha);
  if (text === undefined) {
    return { note: `compare-base: the base commit ${baseSha.slice(0, 7)} is not in the checkout; use actions/checkout with \`fetch-depth: 0\`.` };
  }
  // Written beside the head's config so that its relative imports and emails/ resolve the same way.
  const file = join(dirname(configAbs), `.skene-base-${process.pid}.${configAbs.split('.').pop()}`);
  if (text === null) return { note: `compare-base: the config does not exist at the base ${baseSha.slice(0, 7)}; everything is new.` };
  writeFileSync(file, text);
  try {
    return { base: await planProject({ ...options, configFile: file }) };
  } catch (error) {
    return { note: `compare-base: planning the base's config failed: ${messageOf(error)}` };
  } finally {
    try {
      (await import('node:fs')).rmSync(file, { force: true });
    } catch {
      // best effort
    }
  }
}

function toPosix(path: string): string {
  return path.split('\\').join('/');
}
