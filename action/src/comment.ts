/**
 * The sticky pull-request comment: one per (pull request, config), found by a hidden marker among
 * the bot's own comments (every page), updated in place, and not written at all when its body
 * would not change. A token that may not write (pull requests from forks) is a warning, not a
 * failure: the job summary still has the plan.
 */
import * as core from '@actions/core';
import * as github from '@actions/github';
import { wellFormed } from '@skene/core';
import { ActionError, messageOf } from './errors.js';

export const MARKER = '<!-- skene-plan -->';
/** GitHub rejects issue comments longer than this (characters). */
export const COMMENT_LIMIT = 65_536;

type Octokit = ReturnType<typeof github.getOctokit>;

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
  /** Tells this config's comment from others' in the same pull request (monorepos, the self-test). */
  key: string;
}

export type CommentOutcome = { action: 'created' | 'updated' | 'unchanged'; id: number; url?: string } | { action: 'read-only'; id?: number; reason: string };

/** The hidden lines that start every comment this action writes. */
export function markerLines(key: string): string {
  return `${MARKER}\n<!-- skene-plan-config: ${key.replace(/--/g, '- -')} -->\n`;
}

interface IssueComment {
  id: number;
  body?: string | null;
  html_url?: string;
  user?: { login?: string; type?: string } | null;
}

export async function upsertComment(octokit: Octokit, target: CommentTarget, markdown: string): Promise<CommentOutcome> {
  const head = markerLines(target.key);
  // Well-formed before it is sent: GitHub stores UTF-8, so a lone surrogate would come back as
  // U+FFFD, differ from ours, and the comment would be rewritten on every run.
  const body = wellFormed(head + markdown);
  if (body.length > COMMENT_LIMIT) throw new Error(`internal: comment body is ${body.length} characters (limit ${COMMENT_LIMIT})`);
  const { owner, repo, issueNumber } = target;

  const self = await whoAmI(octokit);
  let existing: IssueComment | undefined;
  try {
    // Every page (Link: rel="next"): on a busy pull request the bot's comment may be far back.
    const comments = (await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: issueNumber,
      per_page: 100,
    })) as IssueComment[];
    existing = comments.find((c) => isOwn(c, self) && (c.body ?? '').startsWith(head));
  } catch (error) {
    const denied = deniedReason(error);
    if (denied) return { action: 'read-only', reason: denied };
    throw new ActionError(`could not list the comments of pull request #${issueNumber}: ${messageOf(error)}`);
  }

  if (existing && normalize(existing.body ?? '') === normalize(body)) {
    return { action: 'unchanged', id: existing.id, url: existing.html_url };
  }
  try {
    if (existing) {
      const { data } = await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body });
      return { action: 'updated', id: data.id, url: data.html_url };
    }
    const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body });
    return { action: 'created', id: data.id, url: data.html_url };
  } catch (error) {
    const denied = deniedReason(error);
    if (denied) return { action: 'read-only', id: existing?.id, reason: denied };
    throw new ActionError(`could not write the comment on pull request #${issueNumber}: ${messageOf(error)}`);
  }
}

/** GitHub stores comment bodies with \r\n line ends when they came from the web editor, and as UTF-8. */
function normalize(text: string): string {
  return wellFormed(text.replace(/\r\n/g, '\n'));
}

/**
 * The login this token writes as: `GET /user` answers for personal access tokens; installation
 * tokens (GITHUB_TOKEN, apps) get 403 and write as a bot, so any bot comment with our marker is ours.
 */
async function whoAmI(octokit: Octokit): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    return data.login;
  } catch {
    return undefined;
  }
}

function isOwn(comment: IssueComment, self: string | undefined): boolean {
  const user = comment.user;
  if (!user) return false;
  if (self) return user.login === self;
  return user.type === 'Bot' || /\[bot\]$/.test(user.login ?? '');
}

/** A token that may read but not write (fork pull requests, `permissions: read`): why, or undefined. */
function deniedReason(error: unknown): string | undefined {
  const status = (error as { status?: number }).status;
  if (status !== 401 && status !== 403) return undefined;
  const data = (error as { response?: { data?: { message?: unknown } } }).response?.data;
  const message = typeof data?.message === 'string' ? data.message : messageOf(error);
  return `${status} ${message}`;
}

export function describeOutcome(outcome: CommentOutcome, issueNumber: number): string {
  switch (outcome.action) {
    case 'created':
      return `Created the plan comment on #${issueNumber}${outcome.url ? ` (${outcome.url})` : ''}.`;
    case 'updated':
      return `Updated the plan comment on #${issueNumber}${outcome.url ? ` (${outcome.url})` : ''}.`;
    case 'unchanged':
      return `The plan comment on #${issueNumber} is up to date; not rewritten.`;
    case 'read-only':
      return `Could not write the plan comment on #${issueNumber}: the token is read-only (${outcome.reason}).`;
  }
}

export function logOutcome(outcome: CommentOutcome, issueNumber: number): void {
  const text = describeOutcome(outcome, issueNumber);
  if (outcome.action === 'read-only') {
    core.warning(
      `${text} Pull requests from forks get a read-only GITHUB_TOKEN; the plan is in the job summary. ` +
        'To comment, give the job `permissions: pull-requests: write` (same-repository pull requests).',
    );
  } else core.info(text);
}
