/**
 * What every rendered output goes through before it is written: well-formed Unicode (a lone
 * surrogate — a subject cut inside an emoji — becomes U+FFFD here, not on GitHub's side, where it
 * would make the stored comment differ from ours on every run) and, in masked mode, `maskOutput`.
 */
import { emailDigests } from './compare.js';
import { createMasker, maskContextOf, maskStrings } from './mask.js';
import type { PlanReport } from './model.js';

/** Lone surrogates → U+FFFD (String.prototype.toWellFormed where there is one). */
export function wellFormed(text: string): string {
  const native = (text as { toWellFormed?: () => string }).toWellFormed;
  if (native) return native.call(text);
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** The finishing step for pieces of one report's rendered output: well-formed, then masked (when masked). */
export function outputFinisher(report: PlanReport): (text: string) => string {
  if (report.recipients !== 'masked') return wellFormed;
  const mask = createMasker(maskContextOf(report));
  return (text) => mask(wellFormed(text));
}

/**
 * The report as a masked JSON document would hold it: digests of the real values (for `--compare`),
 * then every string masked. Applying it twice changes nothing.
 */
export function maskRecipients(report: PlanReport): PlanReport {
  const withDigests: PlanReport = {
    ...report,
    recipients: 'masked',
    loops: report.loops.map((loop) => ({
      ...loop,
      steps: loop.steps.map((step) => ({ ...step, emails: step.emails.map((email) => (email.digests ? email : { ...email, digests: emailDigests(email) })) })),
    })),
  };
  return maskStrings(withDigests, outputFinisher(withDigests));
}

/**
 * Control characters (C0, DEL, C1), line and paragraph separators and bidirectional overrides in a
 * value, shown escaped (`\x1b`, `\u202e`): raw, they would drive the terminal or a CI log, or
 * reorder what the reader sees.
 */
export function escapeControls(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/** A slice of at most `max` UTF-16 units that does not end inside a surrogate pair. */
export function sliceByCodePoint(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max);
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}
