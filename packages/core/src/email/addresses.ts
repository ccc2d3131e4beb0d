/**
 * `to` and `from` of an email action, as DESIGN.md §1 says: `to` defaults to `{{user.email}}`;
 * `from` comes from the action, then `email.from` in `defineConfig`, then `SKENE_EMAIL_FROM`.
 * Nothing is invented: an address that is absent or malformed is reported as a problem.
 */
import { interpolate, type TemplateContext } from './interpolate.js';

export const DEFAULT_TO = '{{user.email}}';

export interface ResolveAddressesInput {
  /** The email action (only `to` and `from` are read). */
  action: { to?: string; from?: string };
  /** The normalized config (only `email.from` is read). */
  config?: { email?: { from?: string } } | null;
  /** The template context of this email (`user`, `row`, `match`, `loop`, `now`). */
  context: TemplateContext;
  /** Environment for `SKENE_EMAIL_FROM`; default `process.env`. */
  env?: Record<string, string | undefined>;
}

export interface AddressProblem {
  field: 'to' | 'from';
  kind: 'missing' | 'invalid';
  message: string;
}

export interface ResolvedAddresses {
  /** The recipient, when it resolved to a valid address. */
  to?: string;
  /** The sender, when one is configured and valid. */
  from?: string;
  /** Where `from` came from. */
  fromSource?: 'action' | 'config' | 'env';
  /** Template paths with no value (e.g. `user.email`). */
  missing: string[];
  /** Why `to` or `from` is unusable; empty when both are fine. */
  problems: AddressProblem[];
}

// `a@b.example` or `Name <a@b.example>`; deliberately plain (no quoted local parts, no comments).
const ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;
const NAMED = /^\s*(?:"[^"]*"|[^<>"]*?)\s*<([^<>]+)>\s*$/;

/** True for `a@b.example` and `Ada Lovelace <a@b.example>`. */
export function isValidAddress(value: string): boolean {
  const trimmed = value.trim();
  if (ADDRESS.test(trimmed)) return true; // the usual plain address: no `<`, so never the named form
  const named = NAMED.exec(trimmed);
  return named !== null && ADDRESS.test(named[1]!.trim());
}

export function resolveAddresses(input: ResolveAddressesInput): ResolvedAddresses {
  const env = input.env ?? process.env;
  const missing: string[] = [];
  const problems: AddressProblem[] = [];
  const result: ResolvedAddresses = { missing, problems };

  const toTemplate = input.action.to ?? DEFAULT_TO;
  const to = interpolate(toTemplate, input.context);
  missing.push(...to.missing);
  const toValue = to.value.trim();
  if (to.missing.length || !toValue) {
    problems.push({
      field: 'to',
      kind: 'missing',
      message: to.missing.length
        ? `no recipient: ${to.missing.map((m) => `\`${m}\``).join(', ')} ${to.missing.length > 1 ? 'have' : 'has'} no value${input.action.to === undefined ? ' (`to` defaults to `{{user.email}}`)' : ''}`
        : `no recipient: \`to\` (${toTemplate}) is empty`,
    });
  } else if (!isValidAddress(toValue)) {
    problems.push({ field: 'to', kind: 'invalid', message: `"${toValue}" is not an email address (from \`to\`: ${toTemplate})` });
  } else {
    result.to = toValue;
  }

  const candidates: [NonNullable<ResolvedAddresses['fromSource']>, string | undefined, string][] = [
    ['action', input.action.from, "the action's `from`"],
    ['config', input.config?.email?.from, '`email.from` in defineConfig'],
    ['env', env.SKENE_EMAIL_FROM, 'SKENE_EMAIL_FROM'],
  ];
  const chosen = candidates.find(([, value]) => value !== undefined && value.trim() !== '');
  if (!chosen) {
    problems.push({
      field: 'from',
      kind: 'missing',
      message: 'no sender: set `from` on the email action, `email: { from }` in defineConfig, or the SKENE_EMAIL_FROM environment variable',
    });
  } else {
    const [source, raw, label] = chosen;
    const from = interpolate(raw!, input.context);
    for (const m of from.missing) if (!missing.includes(m)) missing.push(m);
    const fromValue = from.value.trim();
    if (from.missing.length) {
      problems.push({ field: 'from', kind: 'missing', message: `no sender: ${from.missing.map((m) => `\`${m}\``).join(', ')} in ${label} has no value` });
    } else if (!isValidAddress(fromValue)) {
      problems.push({
        field: 'from',
        kind: 'invalid',
        message: `"${fromValue}" (${label}) is not an email address: write \`you@example.com\` or \`Name <you@example.com>\``,
      });
    } else {
      result.from = fromValue;
      result.fromSource = source;
    }
  }
  return result;
}
