/**
 * `--compare base.json`: which emails a change adds, removes and alters, matched by email id.
 * Real values are compared (the current report is never masked in memory). A masked base (a JSON
 * report written without `--show-recipients`) carries per-email digests of the real values masking
 * hides: a field is "changed" when its masked value or the digest of its real value differs, so a
 * recipient redirected to another address of the same mask (`n***@example.com`) is still
 * "changed". A masked base without digests (older reports) is compared with the current report
 * masked the same way.
 */
import { createHash } from 'node:crypto';
import { createMasker, maskContextOf, maskStrings, type Masker } from './mask.js';
import { REPORT_FORMAT, type Comparison, type EmailDigests, type PlanReport, type PlannedEmail } from './model.js';

const FIELDS = ['to', 'from', 'subject', 'template', 'props', 'html', 'text', 'at'] as const;
/** Fields whose real value masking may hide, and the digest that stands for each. */
const DIGESTED: Partial<Record<(typeof FIELDS)[number], keyof EmailDigests>> = { to: 'to', subject: 'subject', props: 'props', html: 'body', text: 'body' };

/** The digests a masked JSON report keeps for one email (computed from its real values). */
export function emailDigests(email: PlannedEmail): EmailDigests {
  const h = (field: string, value: unknown) =>
    createHash('sha256')
      .update(`${field}\n${email.id}\n${JSON.stringify(value ?? null)}`)
      .digest('hex')
      .slice(0, 16);
  return {
    id: h('id', ''),
    to: h('to', email.to),
    subject: h('subject', email.subject),
    props: h('props', email.props),
    body: h('body', [email.html ?? null, email.text ?? null]),
  };
}

export function compareReports(current: PlanReport, base: PlanReport, baseLabel: string): Comparison {
  const baseEmails = emailsOf(base);
  const masked = base.recipients === 'masked';
  const byDigest = masked && baseEmails.some((e) => e.digests);
  const mask = masked ? createMasker(maskContextOf(current)) : undefined;
  // How an email is matched across the two reports: its id; against a masked base, its masked id
  // and (when the base has digests) its real id's digest, so ids alike once masked stay apart.
  const keyOf = (email: PlannedEmail, side: 'base' | 'current'): string => {
    if (!masked) return email.id;
    if (side === 'base') return byDigest ? `${email.id}\n${email.digests?.id ?? ''}` : email.id;
    return byDigest ? `${mask!(email.id)}\n${emailDigests(email).id}` : mask!(email.id);
  };
  const before = new Map(baseEmails.map((e) => [keyOf(e, 'base'), e]));
  const matched = new Set<string>();
  const added: string[] = [];
  const changed: Comparison['changed'] = [];
  let unchanged = 0;
  for (const email of emailsOf(current)) {
    const key = keyOf(email, 'current');
    const old = before.get(key);
    if (!old) {
      added.push(email.id);
      continue;
    }
    matched.add(key);
    const differs = fieldDiffers(email, old, mask, byDigest);
    const fields = [...new Set(FIELDS.filter(differs).map((f) => (f === 'html' || f === 'text' ? 'body' : f)))];
    if (!fields.length) unchanged++;
    else changed.push({ id: email.id, fields, ...(fields.includes('to') ? { to: { before: old.to, after: email.to } } : {}) });
  }
  const removed = [...before].filter(([key]) => !matched.has(key)).map(([, e]) => e.id);
  return { base: baseLabel, added, removed, changed, unchanged };
}

/** A field differs when its (masked) value does, or — against a masked base — the digest of its real value does. */
function fieldDiffers(email: PlannedEmail, old: PlannedEmail, mask: Masker | undefined, byDigest: boolean) {
  const digests = byDigest ? emailDigests(email) : undefined;
  return (field: (typeof FIELDS)[number]): boolean => {
    const now = mask ? maskStrings(email[field], mask) : email[field];
    if (JSON.stringify(now) !== JSON.stringify(old[field])) return true;
    const digest = DIGESTED[field];
    return Boolean(digests && digest && old.digests && digests[digest] !== old.digests[digest]);
  };
}

function emailsOf(report: PlanReport): PlannedEmail[] {
  return report.loops.flatMap((loop) => loop.steps.flatMap((step) => step.emails));
}

/** Reads a base report, refusing anything that is not a plan report of a version we read. */
export function parseBaseReport(text: string, label: string): PlanReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${label} is not JSON (${(error as Error).message}): pass a report written by \`skene plan --format json\``);
  }
  const report = value as Partial<PlanReport>;
  if (!report || report.format !== REPORT_FORMAT || !Array.isArray(report.loops)) {
    throw new Error(`${label} is not a Skene plan report: pass a report written by \`skene plan --format json\``);
  }
  if (report.version !== 1) throw new Error(`${label} is a plan report of version ${String(report.version)}; this skene reads version 1`);
  return report as PlanReport;
}
