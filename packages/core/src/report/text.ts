/**
 * The plan for a terminal: counts first, then each loop and step; colours only on a TTY. Every
 * value from the config or the data is shown with its control characters escaped (`v`), so an
 * ANSI escape in a row cannot drive the terminal or a CI log; the whole is then finished (masked).
 */
import { plural } from '../text.js';
import { goalLine, noEmailReason, type Counts, type PlanReport, type StepReport } from './model.js';
import { escapeControls as v, outputFinisher } from './output.js';
import { totalsLine } from './totals.js';

export interface TextOptions {
  color?: boolean;
  /** Emails listed per step before "… and N more" (default 10). */
  emailsPerStep?: number;
}

export function renderText(report: PlanReport, options: TextOptions = {}): string {
  const c = palette(options.color ?? false);
  const perStep = options.emailsPerStep ?? 10;
  const t = report.totals;
  const lines: string[] = [];
  lines.push(`${totalsLine(t, { colors: c })} — ${plural(t.loops, 'loop')}, ${plural(t.steps, 'step')}`);
  lines.push(
    c.dim(
      `at ${report.clock.at}${report.clock.pinned ? '' : ' (clock not pinned)'} · horizon ${report.clock.horizon}${report.clock.since ? ` · since ${report.clock.since}` : ''} · ${v(report.source.label)}`,
    ),
  );
  if (report.comparison) {
    const cmp = report.comparison;
    lines.push(
      `compared with ${v(cmp.base)}: ${c.green(`+${cmp.added.length} added`)}, ${c.red(`-${cmp.removed.length} removed`)}, ${c.yellow(`~${cmp.changed.length} changed`)}, ${cmp.unchanged} unchanged`,
    );
    for (const id of cmp.added.slice(0, 20)) lines.push(`  ${c.green('+')} ${v(id)}`);
    for (const id of cmp.removed.slice(0, 20)) lines.push(`  ${c.red('-')} ${v(id)}`);
    for (const ch of cmp.changed.slice(0, 20))
      lines.push(`  ${c.yellow('~')} ${v(ch.id)} (${ch.fields.join(', ')})${ch.to ? ` to: ${v(ch.to.before)} → ${v(ch.to.after)}` : ''}`);
  }
  for (const warning of report.warnings) lines.push(c.yellow(`! ${v(warning)}`));
  for (const loop of report.loops) {
    lines.push('');
    lines.push(`${c.bold(v(loop.id))} (${v(loop.type)}) — ${v(loop.opinion)}`);
    lines.push(`  ${countLine(loop.counts, c)}`);
    for (const step of loop.steps) {
      lines.push(`  step ${step.step}: ${v(describeTrigger(step))} → ${v(step.template)}`);
      lines.push(`    ${countLine(step.counts, c)}`);
      const goal = goalLine(step);
      if (goal) lines.push(`    ${c.dim(goal)}`);
      for (const email of step.emails.slice(0, perStep)) {
        const flags = email.problems.length ? c.yellow(` (${plural(email.problems.length, 'problem')})`) : '';
        lines.push(
          `    ${c.green('✉')} ${v(email.to)}  ${email.subject !== undefined ? `"${v(email.subject)}"` : c.yellow('(no subject)')}  ${c.dim(v(email.at))}${flags}`,
        );
        for (const problem of email.problems) lines.push(`        ${c.yellow(v(problem))}`);
      }
      if (step.emails.length > perStep) lines.push(c.dim(`    … and ${step.emails.length - perStep} more (--format json lists every email)`));
      for (const n of step.notSent)
        lines.push(
          `    ${n.reason.startsWith('waiting') ? c.yellow('…') : c.dim('–')} ${v(n.reason)}: ${n.count} (${n.examples.map((x, i) => (n.notes?.[i] ? `${v(x)} (${v(n.notes[i])})` : v(x))).join(', ')}${n.count > n.examples.length ? ', …' : ''})`,
        );
      for (const e of step.errors) lines.push(`    ${c.red('✖')} ${c.red(v(`${e.loop} step ${e.step}: ${errorPlace(e)}${e.message}`))}`);
      const none = noEmailReason(step);
      if (none) lines.push(c.dim(`    ${v(none)}`));
    }
  }
  return outputFinisher(report)(`${lines.join('\n')}\n`);
}

export function describeTrigger(step: StepReport): string {
  const t = step.trigger;
  if (t.type === 'database') return `on ${t.event} into ${t.table}`;
  return `schedule "${t.cron}" (${t.timezone}), ${plural(t.occurrences.length, 'occurrence')}`;
}

function countLine(counts: Counts, c: Palette): string {
  const parts = [`${plural(counts.events, 'event')}`, c.green(plural(counts.emails, 'email')), c.yellow(`${counts.waiting} waiting`)];
  if (counts.skipped) parts.push(`${counts.skipped} not sent`);
  if (counts.errors) parts.push(c.red(plural(counts.errors, 'error')));
  return parts.join(' · ');
}

type Palette = ReturnType<typeof palette>;
function palette(on: boolean) {
  const wrap = (code: number, reset: number) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[${reset}m` : s);
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39) };
}

/** `skene.config.ts:12:34 SKN026 ` for an error the read-only guard gave (as `skene check` prints it), else nothing. */
export function errorPlace(e: { code?: string; location?: string }): string {
  return `${e.location ? `${e.location} ` : ''}${e.code ? `${e.code} ` : ''}`;
}
