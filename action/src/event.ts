/**
 * What the triggering event says: the pull request (number, head and base commits), and the
 * head commit's time, which pins the plan's clock so that rerunning a commit gives the same plan.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import * as core from '@actions/core';
import type * as github from '@actions/github';
import { ActionError, messageOf } from './errors.js';

export interface PullRequestInfo {
  number: number;
  headSha: string;
  baseSha: string;
  baseRef?: string;
}

export interface EventInfo {
  name: string;
  owner?: string;
  repo?: string;
  pullRequest?: PullRequestInfo;
  /** The commit being planned: the pull request's head, else GITHUB_SHA. */
  headSha?: string;
  payload: Record<string, unknown>;
}

type Json = Record<string, unknown>;

export function readEvent(env: NodeJS.ProcessEnv = process.env): EventInfo {
  const payload = readEventPayload(env.GITHUB_EVENT_PATH);
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const pr = (payload.pull_request ?? undefined) as Json | undefined;
  const head = pr?.head as Json | undefined;
  const base = pr?.base as Json | undefined;
  const number = Number(pr?.number ?? payload.number);
  const pullRequest =
    pr && Number.isInteger(number) && typeof head?.sha === 'string'
      ? { number, headSha: head.sha, baseSha: String(base?.sha ?? ''), baseRef: typeof base?.ref === 'string' ? base.ref : undefined }
      : undefined;
  return {
    name: env.GITHUB_EVENT_NAME ?? '',
    owner: owner || undefined,
    repo: repo || undefined,
    pullRequest,
    headSha: pullRequest?.headSha ?? env.GITHUB_SHA,
    payload,
  };
}

/**
 * The event payload the runner wrote (GITHUB_EVENT_PATH), which must be a JSON object. Unset (a run
 * outside Actions): empty. A file that cannot be read, is not JSON, or holds `null` or an array
 * cannot say which pull request this is: the step fails with a message saying so, not a stack.
 */
export function readEventPayload(path: string | undefined): Json {
  if (!path) return {};
  const where = `the event file ${path} (GITHUB_EVENT_PATH)`;
  const fix = 'The runner writes it for each job; outside GitHub Actions, point GITHUB_EVENT_PATH at a JSON event payload or unset it.';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ActionError(`could not read ${where}: ${messageOf(error)}. ${fix}`, { cause: error });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    throw new ActionError(`${where} is not JSON (${messageOf(error)}). ${fix}`, { cause: error });
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    const what = payload === null ? 'null' : Array.isArray(payload) ? 'an array' : `a ${typeof payload}`;
    throw new ActionError(`${where} holds ${what}, not an event payload (a JSON object). ${fix}`);
  }
  return payload as Json;
}

type Octokit = ReturnType<typeof github.getOctokit>;

export interface PinnedClock {
  at: string;
  /** Where the time came from, for the log and the summary. */
  source: string;
}

/**
 * The head commit's committer time: from the payload (push events carry it), the checkout
 * (`git show`), or the API; failing all three, now (and the plan is not reproducible: warned).
 */
export async function headCommitTime(event: EventInfo, cwd: string, octokit: Octokit | undefined): Promise<PinnedClock> {
  const headCommit = event.payload.head_commit as Json | undefined;
  if (typeof headCommit?.timestamp === 'string' && headCommit.id === event.headSha) {
    return { at: new Date(headCommit.timestamp).toISOString(), source: `head commit ${short(event.headSha)} (event payload)` };
  }
  const sha = event.headSha;
  if (sha) {
    const local = git(['show', '-s', '--format=%cI', sha], cwd);
    if (local && !Number.isNaN(Date.parse(local))) return { at: new Date(local).toISOString(), source: `head commit ${short(sha)}` };
    if (octokit && event.owner && event.repo) {
      try {
        const { data } = await octokit.rest.repos.getCommit({ owner: event.owner, repo: event.repo, ref: sha });
        const date = data.commit.committer?.date ?? data.commit.author?.date;
        if (date) return { at: new Date(date).toISOString(), source: `head commit ${short(sha)}` };
      } catch (error) {
        core.debug(`GET commit ${sha}: ${messageOf(error)}`);
      }
    }
  }
  core.warning("Could not find the head commit's time; the plan uses the current time, so a rerun may differ. Set the `at` input to pin it.");
  return { at: new Date().toISOString(), source: 'current time (head commit time unknown)' };
}

function short(sha: string | undefined): string {
  return (sha ?? '').slice(0, 7);
}

/** `git …` in `cwd`, trimmed stdout, or undefined when git fails (not a repository, unknown object). */
export function git(args: string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/**
 * The config file as it is at `baseSha`: `git show <sha>:<path>` in the checkout. `null` when the
 * file does not exist there (the pull request adds it); undefined when the commit is not in the
 * checkout (shallow clone).
 */
export function baseConfigText(configAbs: string, baseSha: string): string | null | undefined {
  const dir = dirname(configAbs);
  const prefix = git(['rev-parse', '--show-prefix'], dir);
  if (prefix === undefined) return undefined;
  if (git(['cat-file', '-e', `${baseSha}^{commit}`], dir) === undefined) return undefined;
  const name = basename(configAbs);
  try {
    return execFileSync('git', ['show', `${baseSha}:${prefix}${name}`], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch {
    return null;
  }
}
