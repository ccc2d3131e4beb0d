/**
 * One-click unsubscribe (RFC 8058) for the loops whose emails are not transactional
 * (`carriesUnsubscribe`): where their links point, the headers each of their emails carries, and
 * what is missing when the runner could not make them. The plan and the runner both build emails
 * here, from the same config and environment, so the plan shows the links the run sends.
 *
 * Settings: the signing secret is SKENE_UNSUBSCRIBE_SECRET (never in the config); the public base
 * URL `email.unsubscribe.url`, else SKENE_PUBLIC_URL (https: RFC 8058 asks for it); the mailto
 * `email.unsubscribe.mailto`, else SKENE_UNSUBSCRIBE_MAILTO (optional: the https link is the one
 * Gmail and Yahoo use for one-click).
 */
import { carriesUnsubscribe } from '@skene/sdk';
import type { LoadedConfig } from './load-config.js';
import { normalizeAddress } from './recipient-state.js';
import { createUnsubscribeToken, MIN_SECRET_LENGTH } from './unsubscribe-token.js';

type Env = Record<string, string | undefined>;
type Loop = LoadedConfig['loops'][number];

export interface UnsubscribeSettings {
  secret?: string;
  /** The base URL, without a trailing slash. */
  url?: string;
  mailto?: string;
  /** What keeps links from being made, each with its fix; empty when they can be. */
  missing: string[];
}

export interface UnsubscribeLink {
  /** `<url>/unsubscribe/<token>`: the template's `unsubscribeUrl`. */
  url: string;
  /** `List-Unsubscribe` and `List-Unsubscribe-Post`. */
  headers: Record<string, string>;
}

export function unsubscribeSettings(config: Pick<LoadedConfig, 'email'>, env: Env): UnsubscribeSettings {
  const missing: string[] = [];
  const secret = env.SKENE_UNSUBSCRIBE_SECRET || undefined;
  if (!secret) missing.push('no signing secret: set SKENE_UNSUBSCRIBE_SECRET (a random string of 32 characters or more) where the plan and `skene run` run');
  else if (secret.length < MIN_SECRET_LENGTH)
    missing.push(`SKENE_UNSUBSCRIBE_SECRET is shorter than ${MIN_SECRET_LENGTH} characters: use a random string of 32 or more`);
  const rawUrl = config.email?.unsubscribe?.url || env.SKENE_PUBLIC_URL || undefined;
  const url = rawUrl?.trim().replace(/\/+$/, '');
  if (!url)
    missing.push('no public URL: set email.unsubscribe.url in the config or SKENE_PUBLIC_URL (the https address where `skene run --listen` is reachable)');
  else if (!/^https:\/\/[^\s/]+/.test(url))
    missing.push(`the public URL must be https (RFC 8058), not '${url}': fix email.unsubscribe.url or SKENE_PUBLIC_URL`);
  const mailto = (config.email?.unsubscribe?.mailto || env.SKENE_UNSUBSCRIBE_MAILTO || '').trim() || undefined;
  return { secret, url, mailto, missing };
}

/** The loops that carry unsubscribe, when the settings cannot make their links: why, one line each. */
export function unsubscribeProblems(config: Pick<LoadedConfig, 'email' | 'loops'>, env: Env): string[] {
  const carrying = config.loops.filter(carriesUnsubscribe);
  if (!carrying.length) return [];
  const { missing } = unsubscribeSettings(config, env);
  if (!missing.length) return [];
  const loops = carrying.map((l) => `${l.id} (${l.unsubscribe === undefined ? l.type : 'unsubscribe: true'})`).join(', ');
  return [
    `${carrying.length > 1 ? 'loops' : 'loop'} ${loops} must carry a one-click unsubscribe link, which cannot be made: ${missing.join('; ')}. ` +
      '`skene run` refuses to send them until then; a loop whose emails are transactional can say `unsubscribe: false`',
  ];
}

/**
 * The link maker for one loop's emails: undefined when the loop carries no unsubscribe, or when
 * the settings are incomplete (the plan warns, the runner refuses to start).
 */
export function unsubscribeLinks(config: Pick<LoadedConfig, 'email'>, loop: Pick<Loop, 'id' | 'type' | 'unsubscribe'>, env: Env) {
  if (!carriesUnsubscribe(loop)) return undefined;
  const settings = unsubscribeSettings(config, env);
  if (settings.missing.length) return undefined;
  const { secret, url, mailto } = settings as Required<UnsubscribeSettings>;
  const mail = mailto ? `, <mailto:${mailto}?subject=unsubscribe>` : '';
  return (to: string): UnsubscribeLink => {
    const link = `${url}/unsubscribe/${createUnsubscribeToken(secret, { address: normalizeAddress(to), scope: loop.id })}`;
    return { url: link, headers: { 'List-Unsubscribe': `<${link}>${mail}`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } };
  };
}
