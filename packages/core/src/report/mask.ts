/**
 * Recipients are personal data and plans land in pull-request comments, job summaries and CI
 * logs: unless the user asks (`--show-recipients`), every output is masked by ONE function,
 * `maskOutput`, applied to the rendered text (or, for JSON, to every string before it is
 * serialised, so JSON escapes stay valid). It masks
 * - every address-like string (`local@domain.tld`), in any case, URL-encoded (`%40`), with HTML
 *   entities (`&#x27;`, `&#64;`), Markdown backslash escapes (`jane\_doe@`) or a quoted local part
 *   (`"jane doe"@`): `j***@example.com`;
 * - the report's real recipients also where the generic pattern would not (a dotless domain), and
 *   precisely inside ids and keys (`welcome/1/j***@example.com`, not `w***@example.com`).
 * Sender addresses (the emails' `from`, from the config or SKENE_EMAIL_FROM) stay visible unless
 * one is also a recipient. Masking an already masked text changes nothing.
 */
import type { PlanReport } from './model.js';

const AT = String.raw`(?:\\?@|%40|&#0*64;|&#x0*40;|&commat;)`;
// One character of a local part, as it may be written in a rendered output.
const UNIT = String.raw`(?:&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,30});|%[0-9a-f]{2}|\\[!#$%&'*+/=?^_\x60{|}~.-]|[\p{L}\p{N}\p{M}!#$%&'*+/=?^_\x60{|}~.-])`;
const QUOTE = String.raw`(?:"|&quot;|&#0*34;|&#x0*22;|%22)`;
const QUOTED = String.raw`${QUOTE}[^"\r\n@<>]{0,64}?${QUOTE}`;
const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?`;
const ADDRESS_SOURCE = String.raw`(${QUOTED}|${UNIT}{1,64})(${AT})(${LABEL}(?:\.${LABEL})*)`;
const UNITS = new RegExp(UNIT, 'giu');
const ATEXT = /^[\p{L}\p{N}\p{M}!#$%&*+/=?^_{|}~.-]$/u;
const ENTITIES: Record<string, string> = {
  amp: '&',
  quot: '"',
  apos: "'",
  lt: '<',
  gt: '>',
  commat: '@',
  period: '.',
  lowbar: '_',
  plus: '+',
  hyphen: '-',
  dash: '-',
};
/** What a masked local part is replaced with. */
const STARS = '***';

export interface Masker {
  (text: string): string;
}

/** Which addresses a report's outputs mask precisely (its recipients) and which they show (its senders). */
export interface MaskContext {
  recipients: Iterable<string>;
  senders?: Iterable<string>;
}

/** The masker for one report's outputs (generic addresses, plus its recipients and senders). */
export function createMasker(context: MaskContext = { recipients: [] }): Masker {
  const known = new Map<string, Set<string>>(); // domain → local parts (lower case)
  for (const value of context.recipients) {
    for (const address of addressesIn(value)) {
      const at = address.lastIndexOf('@');
      const domain = address.slice(at + 1);
      if (!known.has(domain)) known.set(domain, new Set());
      known.get(domain)!.add(address.slice(0, at));
    }
  }
  const keep = new Set<string>();
  for (const value of context.senders ?? [])
    for (const a of addressesIn(value)) if (!known.get(a.slice(a.lastIndexOf('@') + 1))?.has(a.slice(0, a.lastIndexOf('@')))) keep.add(a);
  const pattern = new RegExp(ADDRESS_SOURCE, 'giu');
  return (text: string) => {
    if (!/@|%40|&#|&commat;/i.test(text)) return text;
    return text.replace(pattern, (match: string, local: string, at: string, domain: string) => maskMatch({ match, local, at, domain }, known, keep));
  };
}

interface Match {
  match: string;
  local: string;
  at: string;
  domain: string;
}

function maskMatch(m: Match, known: Map<string, Set<string>>, keep: Set<string>): string {
  const domain = decode(m.domain).toLowerCase();
  if (/^(?:"|&quot;|&#0*34;|&#x0*22;|%22)/i.test(m.local)) {
    // A quoted local part ("jane doe"@): all of it goes.
    const address = `${decode(m.local)}@${domain}`.toLowerCase();
    if (keep.has(address)) return m.match;
    return `${STARS}${m.at}${m.domain}`;
  }
  const units = m.local.match(UNITS) ?? [];
  const chars = units.map(decode);
  // Leading characters that cannot start a local part (`&lt;`, a quote) belong to the text before.
  let start = 0;
  while (start < units.length && (!ATEXT.test(chars[start]!) || chars[start] === "'" || chars[start] === '`')) start++;
  if (start === units.length) return m.match;
  const local = chars.slice(start).join('').toLowerCase();
  if (keep.has(`${local}@${domain}`)) return m.match;
  // Already masked (however a renderer escaped its stars): as it is, so masking twice is masking once.
  if (/^[a-z0-9]?\*\*\*$/.test(local)) return m.match;
  // A known recipient at the end of a longer run (an id: `welcome/1/jane@…`): mask only its part.
  const locals = known.get(domain);
  if (locals) {
    for (let from = start; from < units.length; from++) {
      if (locals.has(chars.slice(from).join('').toLowerCase())) return `${units.slice(0, from).join('')}${maskedLocal(chars[from]!)}${m.at}${m.domain}`;
    }
  }
  // Not a recipient, and no top-level domain (`user@localhost`, `root@127.0.0.1`, `pkg@1.2`): not an address.
  if (!locals && !/\.\p{L}[^.]*$/u.test(m.domain)) return m.match;
  return `${units.slice(0, start).join('')}${maskedLocal(chars[start]!)}${m.at}${m.domain}`;
}

/** The first character, when it is a plain letter or digit, then `***`. */
function maskedLocal(first: string): string {
  return `${/^[A-Za-z0-9]$/.test(first) ? first : ''}${STARS}`;
}

function decode(unit: string): string {
  return unit
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => safeCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => safeCodePoint(Number(d)))
    .replace(/&([a-z][a-z0-9]*);/gi, (e, name: string) => ENTITIES[name.toLowerCase()] ?? e)
    .replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/\\(.)/g, '$1');
}

function safeCodePoint(n: number): string {
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '\ufffd';
}

/** The plain addresses (lower case) in a value such as `Jane <jane@example.com>`. */
function addressesIn(value: string): string[] {
  const out: string[] = [];
  for (const m of value.matchAll(new RegExp(ADDRESS_SOURCE, 'giu'))) {
    const local = decode(m[1]!).replace(/^['`]+/, '');
    out.push(`${local}@${decode(m[3]!)}`.toLowerCase());
  }
  return out;
}

/** The recipients and senders of a report (and of its comparison), for `createMasker`. */
export function maskContextOf(report: PlanReport): MaskContext {
  const recipients: string[] = [];
  const senders: string[] = [];
  for (const loop of report.loops) {
    for (const step of loop.steps) {
      for (const email of step.emails) {
        recipients.push(email.to);
        if (email.from) senders.push(email.from);
      }
    }
  }
  for (const change of report.comparison?.changed ?? []) if (change.to) recipients.push(change.to.before, change.to.after);
  return { recipients, senders };
}

/**
 * THE masking function: a rendered output of `report`, with every address masked when the report's
 * recipients are masked (unchanged when they are shown).
 */
export function maskOutput(text: string, report: PlanReport): string {
  return report.recipients === 'masked' ? createMasker(maskContextOf(report))(text) : text;
}

/** `jane@example.com` → `j***@example.com`; `Jane <jane@example.com>` → `Jane <j***@example.com>`. */
export function maskAddress(address: string): string {
  return createMasker({ recipients: [address] })(address);
}

/** Every string of a value (keys too), through `mask`: for JSON, before it is serialised. */
export function maskStrings<T>(value: T, mask: Masker): T {
  if (typeof value === 'string') return mask(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskStrings(v, mask)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [mask(k), maskStrings(v, mask)])) as T;
  }
  return value;
}
