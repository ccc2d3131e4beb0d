/**
 * The action's inputs (action.yml), read and validated once. Every mistake a user can make here
 * is an `ActionError`: the step fails with its message and no stack trace.
 */
import { isAbsolute, resolve } from 'node:path';
import { statSync } from 'node:fs';
import * as core from '@actions/core';
import { ActionError } from './errors.js';

export interface ActionInputs {
  /** The config path as written (relative to the working directory). */
  config: string;
  /** Seed files, directories or globs, in order. Empty: the engine's default. */
  seed: string[];
  databaseUrl?: string;
  /** ISO time; undefined: derive from the event. */
  at?: string;
  githubToken?: string;
  comment: 'update' | 'off';
  maxEmails?: number;
  showRecipients: boolean;
  /** Absolute. */
  workingDirectory: string;
  compareBase: boolean;
}

export function readInputs(env: NodeJS.ProcessEnv = process.env): ActionInputs {
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const wd = core.getInput('working-directory') || '.';
  const workingDirectory = isAbsolute(wd) ? wd : resolve(workspace, wd);
  let isDir = false;
  try {
    isDir = statSync(workingDirectory).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new ActionError(`working-directory "${wd}" is not a directory (resolved to ${workingDirectory}).`);

  const databaseUrl = core.getInput('database-url') || undefined;
  const githubToken = core.getInput('github-token') || undefined;
  // Mask before anything else can print them.
  if (githubToken) core.setSecret(githubToken);
  if (databaseUrl) maskDatabaseUrl(databaseUrl);

  const comment = (core.getInput('comment') || 'update').toLowerCase();
  if (comment !== 'update' && comment !== 'off') throw new ActionError(`comment must be "update" or "off", not "${comment}".`);

  const maxText = core.getInput('max-emails');
  let maxEmails: number | undefined;
  if (maxText) {
    if (!/^\d+$/.test(maxText)) throw new ActionError(`max-emails must be a whole number (0 or more), not "${maxText}".`);
    maxEmails = Number(maxText);
  }

  const atText = core.getInput('at');
  let at: string | undefined;
  if (atText) {
    const time = Date.parse(atText);
    if (!/^\d{4}-\d{2}-\d{2}/.test(atText) || Number.isNaN(time)) {
      throw new ActionError(`at must be an ISO 8601 time such as 2026-01-15T09:00:00Z, not "${atText}".`);
    }
    at = new Date(time).toISOString();
  }

  return {
    config: core.getInput('config') || 'skene.config.ts',
    seed: splitList(core.getInput('seed')),
    databaseUrl,
    at,
    githubToken,
    comment,
    maxEmails,
    showRecipients: booleanInput('show-recipients', false),
    workingDirectory,
    compareBase: booleanInput('compare-base', false),
  };
}

/** Newline- or comma-separated; blank entries dropped. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function booleanInput(name: string, fallback: boolean): boolean {
  const text = core.getInput(name).trim().toLowerCase();
  if (!text) return fallback;
  if (['true', 'yes', '1', 'on'].includes(text)) return true;
  if (['false', 'no', '0', 'off'].includes(text)) return false;
  throw new ActionError(`${name} must be true or false, not "${text}".`);
}

/** The whole URL, and its password on its own (it may be printed by a driver's error). */
function maskDatabaseUrl(url: string): void {
  core.setSecret(url);
  try {
    const parsed = new URL(url);
    if (parsed.password) {
      const decoded = decodeURIComponent(parsed.password);
      core.setSecret(parsed.password);
      if (decoded !== parsed.password) core.setSecret(decoded);
    }
    const token = parsed.searchParams.get('token');
    if (token) core.setSecret(token);
  } catch {
    // Not a URL: the whole string is masked already.
  }
}
