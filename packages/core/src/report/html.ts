/**
 * The plan as one self-contained HTML page (`skene plan --format html`, the Action's `html-report`):
 * the counts, a table of loops and steps, and each step's emails as a reviewer would see them —
 * rendered at desktop and mobile width in sandboxed frames, beside their plain text. Nothing is
 * fetched: no script, font, image or stylesheet leaves the file, and a strict
 * Content-Security-Policy says so to the browser, so the page can be uploaded as a CI artifact
 * and opened anywhere. Escaping and the email cards are in `html-email.ts`.
 *
 * Past `framesPerStep` emails a step lists the rest as rows, and past `listedPerStep` counts them:
 * a plan of thousands of emails stays a page a browser opens. The JSON report has every email.
 */
import { plural } from '../text.js';
import { DESKTOP_WIDTH, HTML_REPORT_CSP, HTML_REPORT_STYLE, MOBILE_WIDTH, emailCard, emailRow, htmlEscapers, type HtmlEscapers } from './html-email.js';
import { goalLine, noEmailReason, type Counts, type PlanReport, type StepReport } from './model.js';
import { outputFinisher } from './output.js';
import { describeTrigger, errorPlace } from './text.js';
import { totalsLine, wouldBeSent } from './totals.js';

export interface HtmlOptions {
  /** Emails per step shown in frames (default 10). */
  framesPerStep?: number;
  /** Emails per step listed at all, frames included (default 100); the rest are counted. */
  listedPerStep?: number;
}

export { HTML_REPORT_CSP } from './html-email.js';

export function renderHtml(report: PlanReport, options: HtmlOptions = {}): string {
  const e = htmlEscapers(outputFinisher(report));
  const limits = { frames: options.framesPerStep ?? 10, listed: Math.max(options.listedPerStep ?? 100, options.framesPerStep ?? 10) };
  const t = report.totals;
  const out = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${HTML_REPORT_CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Skene plan: ${wouldBeSent(t.emails)}</title>`,
    `<style>${HTML_REPORT_STYLE}</style>`,
    '</head>',
    '<body>',
    ...intro(report, e),
    ...stepTable(report, e),
    ...errorList(report, e),
  ];
  report.loops.forEach((loop, l) => {
    out.push(
      `<section id="l${l + 1}">`,
      `<h2><code>${e.text(loop.id)}</code> <span class="muted">(${e.text(loop.type)})</span></h2>`,
      `<p>${e.text(loop.opinion)}</p>`,
      `<p class="muted">${countLine(loop.counts)}</p>`,
    );
    loop.steps.forEach((step, s) => out.push(...stepSection({ step, anchor: `l${l + 1}-s${s + 1}`, e, limits })));
    out.push('</section>');
  });
  out.push(
    `<footer><p class="muted">Emails are shown in sandboxed frames (${DESKTOP_WIDTH} px and ${MOBILE_WIDTH} px wide) with scripts off; remote images, fonts and stylesheets are not loaded — this page makes no network request.</p></footer>`,
    '</body>',
    '</html>',
    '',
  );
  return out.join('\n');
}

function intro(report: PlanReport, e: HtmlEscapers): string[] {
  const t = report.totals;
  const clock = `${report.clock.at}${report.clock.pinned ? '' : ' (clock not pinned)'} · horizon ${report.clock.horizon}${report.clock.since ? ` · since ${report.clock.since}` : ''}`;
  const out = [
    `<h1>Skene plan of <code>${e.text(report.config)}</code></h1>`,
    `<p class="totals">${totalsLine(t)} — ${plural(t.loops, 'loop')}, ${plural(t.steps, 'step')}</p>`,
    `<p class="muted">at ${e.text(clock)} · ${e.text(report.source.label)}${
      report.source.seeds.length ? ` · seeded from ${report.source.seeds.map((s) => `<code>${e.text(s)}</code>`).join(', ')}` : ''
    } · recipients ${report.recipients === 'masked' ? 'masked (<code>--show-recipients</code> shows them)' : 'shown'}</p>`,
  ];
  for (const w of report.warnings) out.push(`<p class="notice">⚠ ${e.text(w)}</p>`);
  const cmp = report.comparison;
  if (cmp) {
    out.push(
      `<h2>Compared with <code>${e.text(cmp.base)}</code></h2>`,
      `<p>${cmp.added.length} added · ${cmp.removed.length} removed · ${cmp.changed.length} changed · ${cmp.unchanged} unchanged</p>`,
    );
    const rows = [
      ...cmp.added.map((id) => `<tr><td>added</td><td><code>${e.text(id)}</code></td><td></td></tr>`),
      ...cmp.removed.map((id) => `<tr><td>removed</td><td><code>${e.text(id)}</code></td><td></td></tr>`),
      ...cmp.changed.map(
        (ch) =>
          `<tr><td>changed</td><td><code>${e.text(ch.id)}</code></td><td>${ch.fields.map((f) => e.text(f)).join(', ')}${ch.to ? `; to: ${e.text(ch.to.before)} → ${e.text(ch.to.after)}` : ''}</td></tr>`,
      ),
    ];
    if (rows.length) {
      out.push('<table><thead><tr><th></th><th>Email</th><th>Changed</th></tr></thead><tbody>', ...rows.slice(0, 100), '</tbody></table>');
      if (rows.length > 100) out.push(`<p class="muted">… and ${rows.length - 100} more (the JSON report lists every one).</p>`);
    }
  }
  return out;
}

/** Every step in one table, each linking to its section. */
function stepTable(report: PlanReport, e: HtmlEscapers): string[] {
  const rows: string[] = [];
  report.loops.forEach((loop, l) =>
    loop.steps.forEach((step, s) => {
      const c = step.counts;
      rows.push(
        `<tr><td><a href="#l${l + 1}"><code>${e.text(loop.id)}</code></a></td><td><a href="#l${l + 1}-s${s + 1}">${step.step}</a></td><td>${e.text(describeTrigger(step))}</td><td><code>${e.text(step.template)}</code></td>` +
          `<td class="n">${c.emails}</td><td class="n">${c.waiting}</td><td class="n">${c.skipped}</td><td class="n${c.errors ? ' err' : ''}">${c.errors}</td></tr>`,
      );
    }),
  );
  if (!rows.length) return ['<p class="muted">The config has no steps.</p>'];
  return [
    '<table class="steps"><thead><tr><th>Loop</th><th>Step</th><th>Trigger</th><th>Template</th><th>Emails</th><th>Waiting</th><th>Not sent</th><th>Errors</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table>',
  ];
}

function errorList(report: PlanReport, e: HtmlEscapers): string[] {
  const out: string[] = [];
  for (const loop of report.loops)
    for (const step of loop.steps)
      for (const x of step.errors) out.push(`<p class="error">✖ <strong>${e.text(x.loop)}</strong> step ${x.step}: ${e.text(errorPlace(x) + x.message)}</p>`);
  return out;
}

interface StepSection {
  step: StepReport;
  anchor: string;
  e: HtmlEscapers;
  limits: { frames: number; listed: number };
}

function stepSection({ step, anchor, e, limits }: StepSection): string[] {
  const out = [
    `<section id="${anchor}">`,
    `<h3>Step ${step.step} — ${e.text(describeTrigger(step))} → <code>${e.text(step.template)}</code></h3>`,
    `<p class="muted">${countLine(step.counts)}</p>`,
    ...(goalLine(step) ? [`<p class="muted">${e.text(goalLine(step)!)}</p>`] : []),
  ];
  if (step.notSent.length) {
    out.push(
      `<ul class="not-sent">${step.notSent
        .map(
          (n) =>
            `<li>${e.text(n.reason)}: ${n.count} (${n.examples.map((x, i) => `<code>${e.text(x)}</code>${n.notes?.[i] ? ` (${e.text(n.notes[i])})` : ''}`).join(', ')}${n.count > n.examples.length ? ', …' : ''})</li>`,
        )
        .join('')}</ul>`,
    );
  }
  for (const x of step.errors) out.push(`<p class="error">✖ ${e.text(errorPlace(x) + x.message)}</p>`);
  // Why nothing is sent, in the words the text report and the editor use (after the reasons, as there).
  const none = noEmailReason(step);
  if (none) out.push(`<p class="notice">${e.text(none.charAt(0).toUpperCase() + none.slice(1))}</p>`);
  const framed = step.emails.slice(0, limits.frames);
  framed.forEach((email, i) => out.push(emailCard({ email, anchor: `${anchor}-e${i + 1}`, e })));
  const listed = step.emails.slice(limits.frames, limits.listed);
  if (listed.length) {
    out.push(
      `<p class="muted">${plural(listed.length, 'more email')} of this step, listed without frames (the first ${limits.frames} are shown above):</p>`,
      '<table><thead><tr><th>To</th><th>Subject</th><th>Id</th></tr></thead><tbody>',
      ...listed.map((email) => emailRow(email, e)),
      '</tbody></table>',
    );
  }
  const left = step.emails.length - framed.length - listed.length;
  if (left > 0)
    out.push(
      `<p class="notice">… and ${plural(left, 'more email')} of this step not shown here: the JSON report (<code>--format json</code>) lists every email.</p>`,
    );
  out.push('</section>');
  return out;
}

function countLine(c: Counts): string {
  const parts = [plural(c.events, 'event'), plural(c.emails, 'email'), `${c.waiting} waiting`];
  if (c.skipped) parts.push(`${c.skipped} not sent`);
  if (c.errors) parts.push(`<span class="err">${plural(c.errors, 'error')}</span>`);
  return parts.join(' · ');
}
