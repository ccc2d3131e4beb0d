/**
 * The plan as GitHub Markdown (job summary, pull-request comment). GitHub caps a comment at
 * 65,536 characters and a job summary at 1 MiB: the summary table always fits; emails (in
 * collapsed <details> blocks) are added while they fit, and the cut is said, never silent.
 */
import { describeTrigger, errorPlace, plural } from './text.js';
import type { PlanReport, PlannedEmail } from './model.js';

export const GITHUB_COMMENT_LIMIT = 65_536;
export const GITHUB_SUMMARY_LIMIT = 1024 * 1024;

export interface MarkdownOptions {
  /** Maximum size; default the comment limit. */
  limit?: number;
  /** How `limit` is measured: UTF-16 characters (comments) or UTF-8 bytes (job summaries). */
  unit?: 'chars' | 'bytes';
}

export function renderMarkdown(report: PlanReport, options: MarkdownOptions = {}): string {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const size = options.unit === 'bytes' ? (s: string) => Buffer.byteLength(s, 'utf8') : (s: string) => s.length;
  const t = report.totals;
  const head: string[] = [];
  head.push(`## Skene plan: ${plural(t.emails, 'email')} would be sent`);
  head.push('');
  head.push(
    `**${t.emails}** emails · **${t.waiting}** waiting · **${t.skipped}** not sent · **${t.errors}** errors — planned at \`${report.clock.at}\`` +
      `${report.clock.pinned ? '' : ' (**clock not pinned**)'}, horizon ${report.clock.horizon}${report.clock.since ? `, since \`${report.clock.since}\`` : ''}, on ${escapeMd(report.source.label)}`,
  );
  head.push('');
  for (const w of report.warnings) head.push(`> [!WARNING]\n> ${escapeMd(w)}\n`);
  if (report.comparison) {
    const cmp = report.comparison;
    head.push(`**Compared with ${code(cmp.base)}:** ${cmp.added.length} added, ${cmp.removed.length} removed, ${cmp.changed.length} changed, ${cmp.unchanged} unchanged`);
    head.push('');
    const rows = [
      ...cmp.added.map((id) => `| ➕ added | ${code(id)} | |`),
      ...cmp.removed.map((id) => `| ➖ removed | ${code(id)} | |`),
      ...cmp.changed.map((ch) => `| ✏️ changed | ${code(ch.id)} | ${ch.fields.join(', ')} |`),
    ];
    if (rows.length) head.push('| | Email | Changed |', '|---|---|---|', ...rows.slice(0, 100), ...(rows.length > 100 ? [`| | … and ${rows.length - 100} more | |`] : []), '');
  }
  head.push('| Loop | Step | Trigger | Template | Emails | Waiting | Not sent | Errors |');
  head.push('|---|---|---|---|---:|---:|---:|---:|');
  for (const loop of report.loops) {
    for (const step of loop.steps) {
      head.push(
        `| ${code(loop.id)} | ${step.step} | ${escapeMd(describeTrigger(step))} | ${code(step.template)} | ${step.counts.emails} | ${step.counts.waiting} | ${step.counts.skipped} | ${step.counts.errors} |`,
      );
    }
  }
  head.push('');
  for (const loop of report.loops) for (const step of loop.steps) for (const e of step.errors) head.push(`> [!CAUTION]\n> **${escapeMd(e.loop)}** step ${e.step}: ${escapeMd(errorPlace(e) + e.message)}\n`);

  let out = head.join('\n') + '\n';
  const notice = (shown: number, total: number) =>
    `\n> [!NOTE]\n> Showing ${shown} of ${total} emails: the rest do not fit GitHub's ${limit.toLocaleString('en-US')}-${options.unit === 'bytes' ? 'byte' : 'character'} limit. The JSON report (\`--format json\`) has every email.\n`;
  const total = t.emails;
  let shown = 0;
  const reserve = size(notice(total, total)) + 64;
  if (size(out) + reserve > limit) {
    // Even the summary is too long (thousands of steps): cut it at a line boundary.
    const cut = truncateToSize(out, limit - reserve, size);
    return cut + notice(0, total);
  }
  outer: for (const loop of report.loops) {
    const loopHead = `\n### ${code(loop.id)} (${loop.type})\n\n${escapeMd(loop.opinion)}\n`;
    if (size(out + loopHead) + reserve > limit) break;
    out += loopHead;
    for (const step of loop.steps) {
      const stepHead = `\n**Step ${step.step}** — ${escapeMd(describeTrigger(step))} → ${code(step.template)}: ${plural(step.counts.emails, 'email')}, ${step.counts.waiting} waiting` +
        (step.notSent.length ? `\n\n${step.notSent.map((n) => `- ${escapeMd(n.reason)}: ${n.count}`).join('\n')}` : '') + '\n\n';
      if (size(out + stepHead) + reserve > limit) break outer;
      out += stepHead;
      for (const email of step.emails) {
        const block = emailBlock(email);
        if (size(out + block) + reserve > limit) break outer;
        out += block;
        shown++;
      }
    }
  }
  if (shown < total) out += notice(shown, total);
  return out;
}

function emailBlock(email: PlannedEmail): string {
  const lines = [
    `<details><summary>✉️ ${escapeHtml(email.to)} — ${escapeHtml(email.subject ?? '(no subject)')}</summary>`,
    '',
    `- **To:** ${escapeMd(email.to)}`,
    `- **From:** ${email.from ? escapeMd(email.from) : '_(no sender)_'}`,
    `- **Subject:** ${email.subject !== undefined ? escapeMd(email.subject) : '_(none)_'}`,
    `- **At:** \`${email.at}\` · **Template:** ${code(email.template)} · **Id:** ${code(email.id)}`,
    ...email.problems.map((p) => `- ⚠️ ${escapeMd(p)}`),
    '',
    fence(email.text ?? ''),
    '',
    '</details>',
    '',
  ];
  return lines.join('\n');
}

/** A code fence longer than any run of backticks inside, so an email cannot break out of it. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}text\n${text.trimEnd()}\n${f}`;
}

function truncateToSize(text: string, max: number, size: (s: string) => number): string {
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (size(text.slice(0, mid)) <= max) lo = mid;
    else hi = mid - 1;
  }
  const cut = text.slice(0, lo);
  const nl = cut.lastIndexOf('\n');
  return nl > 0 ? cut.slice(0, nl + 1) : cut;
}

/** Inline code: backslashes are not escapes there; only a table's pipe needs one (GFM). */
function code(text: string): string {
  const body = text.replace(/\n/g, ' ').replace(/\|/g, '\\|');
  const ticks = body.includes('`') ? '``' : '`';
  return `${ticks}${ticks.length > 1 ? ' ' : ''}${body}${ticks.length > 1 ? ' ' : ''}${ticks}`;
}

function escapeMd(text: string): string {
  return text.replace(/([\\`*_[\]<>|])/g, '\\$1').replace(/\n/g, ' ');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
