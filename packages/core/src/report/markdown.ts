/**
 * The plan as GitHub Markdown (job summary, pull-request comment). GitHub caps a comment at
 * 65,536 characters and a job summary at 1 MiB: the summary table is added row by row while it
 * fits, emails (in collapsed <details> blocks) are added while they fit, and what was cut — table
 * rows, errors, emails — is said, never silent.
 *
 * Every value from the config or the data is escaped for the context it lands in (`escapers`):
 * inline Markdown, a table cell, a code span, the HTML of a <summary>, a fenced block. Line breaks
 * cannot end a block, `@mentions` are neutralised, control characters are shown escaped, and each
 * piece is finished (well-formed, masked) before it is measured.
 */
import { plural } from '../text.js';
import { describeTrigger, errorPlace } from './text.js';
import { goalLine, noEmailReason, type PlanReport, type PlannedEmail } from './model.js';
import { escapeControls, outputFinisher } from './output.js';
import { wouldBeSent } from './totals.js';

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
  const finish = outputFinisher(report);
  const e = escapers(finish);
  const t = report.totals;
  const intro: string[] = [];
  intro.push(`## Skene plan: ${wouldBeSent(t.emails)}`);
  intro.push('');
  intro.push(
    `**${t.emails}** emails · **${t.waiting}** waiting · **${t.skipped}** not sent · **${t.errors}** errors — planned at ${e.code(report.clock.at)}` +
      `${report.clock.pinned ? '' : ' (**clock not pinned**)'}, horizon ${e.inline(report.clock.horizon)}${report.clock.since ? `, since ${e.code(report.clock.since)}` : ''}, on ${e.inline(report.source.label)}`,
  );
  intro.push('');
  for (const w of report.warnings) intro.push(`> [!WARNING]\n> ${e.inline(w)}\n`);
  if (report.comparison) {
    const cmp = report.comparison;
    intro.push(
      `**Compared with ${e.code(cmp.base)}:** ${cmp.added.length} added, ${cmp.removed.length} removed, ${cmp.changed.length} changed, ${cmp.unchanged} unchanged`,
    );
    intro.push('');
    const rows = [
      ...cmp.added.map((id) => `| ➕ added | ${e.cellCode(id)} | |`),
      ...cmp.removed.map((id) => `| ➖ removed | ${e.cellCode(id)} | |`),
      ...cmp.changed.map(
        (ch) =>
          `| ✏️ changed | ${e.cellCode(ch.id)} | ${ch.fields.map((f) => e.cell(f)).join(', ')}${ch.to ? `; to: ${e.cell(ch.to.before)} → ${e.cell(ch.to.after)}` : ''} |`,
      ),
    ];
    if (rows.length)
      intro.push(
        '| | Email | Changed |',
        '|---|---|---|',
        ...rows.slice(0, 100),
        ...(rows.length > 100 ? [`| | … and ${rows.length - 100} more | |`] : []),
        '',
      );
  }
  const tableHead = ['| Loop | Step | Trigger | Template | Emails | Waiting | Not sent | Errors |', '|---|---|---|---|---:|---:|---:|---:|'].join('\n') + '\n';
  const rows: string[] = [];
  for (const loop of report.loops) {
    for (const step of loop.steps) {
      rows.push(
        `| ${e.cellCode(loop.id)} | ${step.step} | ${e.cell(describeTrigger(step))} | ${e.cellCode(step.template)} | ${step.counts.emails} | ${step.counts.waiting} | ${step.counts.skipped} | ${step.counts.errors} |\n`,
      );
    }
  }
  const errors: string[] = [];
  for (const loop of report.loops)
    for (const step of loop.steps)
      for (const x of step.errors) errors.push(`> [!CAUTION]\n> **${e.inline(x.loop)}** step ${x.step}: ${e.inline(errorPlace(x) + x.message)}\n\n`);

  const noticeFor = (cut: Cut) => {
    const parts = [
      ...(cut.rows < rows.length ? [`${cut.rows} of ${rows.length} steps in the table`] : []),
      ...(cut.errors < errors.length ? [`${cut.errors} of ${errors.length} errors`] : []),
      `${cut.emails} of ${t.emails} emails`,
    ];
    const what = cut.rows < rows.length || cut.errors < errors.length ? 'everything' : 'every email';
    return `\n> [!NOTE]\n> Showing ${parts.join(', ')}: the rest do not fit GitHub's ${limit.toLocaleString('en-US')}-${options.unit === 'bytes' ? 'byte' : 'character'} limit. The JSON report (\`--format json\`) has ${what}.\n`;
  };
  // Room for the longest notice, whatever is cut.
  const reserve = size(noticeFor({ rows: 0, errors: 0, emails: t.emails })) + String(rows.length).length * 2 + String(errors.length).length * 2 + 64;
  const cut: Cut = { rows: 0, errors: 0, emails: 0 };
  let out = '';
  let used = 0;
  const add = (piece: string): boolean => {
    const finished = finish(piece);
    const n = size(finished);
    if (used + n + reserve > limit) return false;
    out += finished;
    used += n;
    return true;
  };
  const all = () => cut.rows === rows.length && cut.errors === errors.length;
  if (add(intro.join('\n') + '\n') && add(tableHead)) {
    for (const row of rows) {
      if (!add(row)) break;
      cut.rows++;
    }
    if (cut.rows === rows.length && add('\n')) {
      for (const x of errors) {
        if (!add(x)) break;
        cut.errors++;
      }
    }
  }
  if (all()) emails(report, e, add, cut);
  if (!all() || cut.emails < t.emails) out += finish(noticeFor(cut));
  return out;
}

interface Cut {
  rows: number;
  errors: number;
  emails: number;
}

/** The loops, steps and emails while they fit (`add` says whether a piece did). */
function emails(report: PlanReport, e: Escapers, add: (piece: string) => boolean, cut: Cut): void {
  for (const loop of report.loops) {
    if (!add(`\n### ${e.code(loop.id)} (${e.inline(loop.type)})\n\n${e.inline(loop.opinion)}\n`)) return;
    for (const step of loop.steps) {
      const none = noEmailReason(step);
      const stepHead =
        `\n**Step ${step.step}** — ${e.inline(describeTrigger(step))} → ${e.code(step.template)}: ${plural(step.counts.emails, 'email')}, ${step.counts.waiting} waiting` +
        (none ? `\n\n_${e.inline(none)}_` : '') +
        (goalLine(step) ? `\n\n${e.inline(goalLine(step)!)}` : '') +
        (step.notSent.length ? `\n\n${step.notSent.map((n) => `- ${e.inline(n.reason)}: ${n.count}`).join('\n')}` : '') +
        '\n\n';
      if (!add(stepHead)) return;
      for (const email of step.emails) {
        if (!add(emailBlock(email, e))) return;
        cut.emails++;
      }
    }
  }
}

function emailBlock(email: PlannedEmail, e: Escapers): string {
  const lines = [
    // An HTML block: one line, so no value can end it (a blank line would) and let Markdown in.
    `<details><summary>✉️ ${e.html(email.to)} — ${e.html(email.subject ?? '(no subject)')}</summary>`,
    '',
    `- **To:** ${e.inline(email.to)}`,
    `- **From:** ${email.from ? e.inline(email.from) : '_(no sender)_'}`,
    `- **Subject:** ${email.subject !== undefined ? e.inline(email.subject) : '_(none)_'}`,
    `- **At:** ${e.code(email.at)} · **Template:** ${e.code(email.template)} · **Id:** ${e.code(email.id)}`,
    ...email.problems.map((p) => `- ⚠️ ${e.inline(p)}`),
    '',
    e.fence(email.text ?? ''),
    '',
    '</details>',
    '',
  ];
  return lines.join('\n');
}

export type Escapers = ReturnType<typeof escapers>;

/** One escaper per Markdown context; each masks the value first (`finish`), then escapes it. */
function escapers(finish: (text: string) => string) {
  return {
    inline: (text: string) => inline(finish(text)),
    /** Inside a GFM table cell: inline, and a pipe cannot end the cell. */
    cell: (text: string) => inline(finish(text)),
    html: (text: string) => html(finish(text)),
    code: (text: string) => code(finish(text)),
    cellCode: (text: string) => code(finish(text)).replace(/\|/g, '\\|'),
    fence: (text: string) => fence(finish(text)),
  };
}

/** Line breaks (CommonMark: LF, CR, CRLF) as spaces; other control characters shown escaped. */
function oneLine(text: string): string {
  return escapeControls(text.replace(/\r\n|[\r\n]/g, ' '));
}

/**
 * GitHub's mentions (`@user`, `@org/team`; also `@everyone` for chat relays) get a zero-width
 * space after the `@`: shown the same, pinging no one. `@` after a name character (an address)
 * is not a mention (GitHub's own rule), nor is `@domain.tld`.
 */
function neutraliseMentions(text: string): string {
  return text.replace(/(^|[^A-Za-z0-9_`\\])@(?=[A-Za-z0-9])(?![A-Za-z0-9-]*\.[A-Za-z0-9])/g, '$1@&#8203;');
}

/**
 * Inline Markdown: every character that could start markup is backslash-escaped (emphasis, links,
 * images, code, raw HTML, headings, lists, tables, strikethrough), `&` is `&amp;` (no entity comes
 * from data), what could start a block at the start of a line is escaped too, autolink literals
 * (`https://`, `www.`, `a@b.c`) are broken, and mentions neutralised.
 */
function inline(text: string): string {
  let s = oneLine(text).replace(/^\s+/, '');
  s = s.replace(/[\\`*_[\]<>|#!~]/g, '\\$&').replace(/&/g, '&amp;');
  s = s.replace(/^([-+=])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
  s = s.replace(/:\/\//g, '\\://').replace(/\b(www)\./gi, '$1\\.');
  s = neutraliseMentions(s);
  return s.replace(/([^\s\\])@/g, '$1\\@');
}

/** Text inside an HTML block (<summary>): entities, one line, mentions neutralised. */
function html(text: string): string {
  return neutraliseMentions(oneLine(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!));
}

/** A code span whose backtick run is longer than any inside (backslashes are literal there). */
function code(text: string): string {
  const body = oneLine(text);
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = /^[`\s]|[`\s]$/.test(body) || !body ? ' ' : '';
  return `${ticks}${pad}${body}${pad}${ticks}`;
}

/** A fenced block longer than any run of backticks inside, so an email cannot break out of it. */
function fence(text: string): string {
  // Line breaks and tabs stay (it is the email's text); other control characters are shown escaped.
  const body = text
    .replace(/\r\n|\r/g, '\n')
    .split('\n')
    .map((line) => line.split('\t').map(escapeControls).join('\t'))
    .join('\n');
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}text\n${body.trimEnd()}\n${f}`;
}

/**
 * The escapers for Markdown a surface adds around the report (the Action's tables and notes):
 * each value masked as the report's outputs are, then escaped for its context.
 */
export function markdownEscapers(report: PlanReport): Escapers {
  return escapers(outputFinisher(report));
}
