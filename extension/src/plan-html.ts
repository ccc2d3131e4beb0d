/**
 * The Plan Loops webview's HTML: the rendered emails grouped by loop and step, with counts. No
 * script; a Content-Security-Policy that allows only inline styles and data: images; each email
 * in an `<iframe sandbox srcdoc>` (no script, same CSP: remote images and fonts do not load).
 */
// From report/, not core's index: the extension host's bundle takes only what it imports.
import { plural } from '@skene/core/report';
import type { PlanEmail, PlanLoop, PlanResult, PlanStep } from './plan-model.js';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export function contentSecurityPolicy(cspSource: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource} 'unsafe-inline'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    "frame-src 'self' about: data:",
  ].join('; ');
}

function page(cspSource: string, title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(cspSource))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 20px 40px; }
  h1 { font-size: 1.4em; margin-bottom: 4px; }
  .meta { color: var(--vscode-descriptionForeground); margin: 0 0 16px; }
  .count { display: inline-block; min-width: 1.6em; padding: 0 6px; border-radius: 9px; text-align: center; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); font-size: 0.9em; }
  section.loop { border-top: 1px solid var(--vscode-panel-border); padding-top: 8px; margin-top: 16px; }
  h2 { font-size: 1.15em; margin: 8px 0 2px; }
  h3 { font-size: 1em; margin: 12px 0 6px; }
  .opinion { margin: 0 0 8px; color: var(--vscode-descriptionForeground); }
  details.email { margin: 6px 0 10px; border: 1px solid var(--vscode-panel-border); border-radius: 4px; }
  details.email > summary { cursor: pointer; padding: 6px 10px; }
  .headers { padding: 4px 10px; font-family: var(--vscode-editor-font-family); font-size: 0.9em; }
  iframe { width: 100%; height: 420px; border: 0; background: #fff; }
  .skipped, .errors { margin: 4px 0 8px; }
  .errors li, .error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
  .empty { color: var(--vscode-descriptionForeground); font-style: italic; }
  .clock { margin: 0 0 16px; }
  .clock a { color: var(--vscode-textLink-foreground); }
</style>
</head>
<body>
${body}
</body>
</html>`;
}

function emailHtml(email: PlanEmail, open: boolean): string {
  const headers = [`To: ${email.to}`, email.from ? `From: ${email.from}` : undefined, `Subject: ${email.subject}`, email.at ? `At: ${email.at}` : undefined]
    .filter((l): l is string => !!l)
    .map(escapeHtml)
    .join('<br>');
  return `<details class="email"${open ? ' open' : ''}>
<summary><strong class="subject">${escapeHtml(email.subject)}</strong> — to ${escapeHtml(email.to)}</summary>
<div class="headers">${headers}</div>
<iframe sandbox="" title="${escapeHtml(`Email: ${email.subject}`)}" srcdoc="${escapeHtml(email.html)}"></iframe>
</details>`;
}

function stepHtml(step: PlanStep, firstOpen: boolean): string {
  const skipped = step.skipped.length
    ? `<ul class="skipped">${step.skipped.map((s) => `<li>${escapeHtml(s.reason)}: <span class="count">${s.count}</span></li>`).join('')}</ul>`
    : '';
  const errors = step.errors.length ? `<ul class="errors">${step.errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>` : '';
  const more = step.count > step.emails.length ? `<p class="empty">… and ${step.count - step.emails.length} more</p>` : '';
  const emails = step.emails.length
    ? step.emails.map((e, i) => emailHtml(e, firstOpen && i === 0)).join('\n')
    : `<p class="empty no-email">${escapeHtml(capitalize(step.noEmail ?? 'no email from this step'))}.</p>`;
  return `<h3>Step ${step.index + 1}: ${escapeHtml(step.description)} <span class="count" title="emails">${step.count}</span></h3>
${skipped}${errors}${emails}${more}`;
}

function loopHtml(loop: PlanLoop, firstOpen: boolean): string {
  return `<section class="loop" id="loop-${escapeHtml(loop.id)}">
<h2>${escapeHtml(loop.id)}${loop.type ? ` <small>(${escapeHtml(loop.type)})</small>` : ''} <span class="count" title="emails">${loop.count}</span></h2>
${loop.opinion ? `<p class="opinion">${escapeHtml(loop.opinion)}</p>` : ''}
${loop.steps.map((s, i) => stepHtml(s, firstOpen && i === 0)).join('\n')}
</section>`;
}

export function planHtml(plan: PlanResult, cspSource: string): string {
  const errors = plan.errors.length ? `<ul class="errors">${plan.errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>` : '';
  const body = `<h1>Skene plan: ${escapeHtml(plural(plan.count, 'email'))} from ${escapeHtml(plural(plan.loops.length, 'loop'))}</h1>
<p class="meta">${escapeHtml(plan.config)} · ${escapeHtml(plan.source)}. Nothing was sent.</p>
${clockHtml(plan)}
${errors}
${plan.loops.length ? plan.loops.map((l, i) => loopHtml(l, i === 0)).join('\n') : '<p class="empty">The config has no loops.</p>'}`;
  return page(cspSource, 'Skene plan', body);
}

/**
 * The plan's clock, and the way to pin it (a command link: the panel allows only this command).
 * Pinned, the plan is the README's and CI's (`--at`); unpinned, it changes with the time of day.
 */
function clockHtml(plan: PlanResult): string {
  const how = plan.pinned ? 'pinned by <code>skene.planAt</code>' : 'the current time, not pinned: CI and the README plan at a fixed <code>--at</code>';
  return `<p class="clock">Clock: <strong>${escapeHtml(plan.at)}</strong> (${how}) · <a href="command:${SET_PLAN_CLOCK}">Set Plan Clock</a></p>`;
}

/** The one command the plan panel's links may run. */
export const SET_PLAN_CLOCK = 'skene.setPlanClock';

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function messageHtml(cspSource: string, title: string, message: string, isError = false): string {
  return page(cspSource, title, `<h1>${escapeHtml(title)}</h1><p class="${isError ? 'error' : 'meta'}">${escapeHtml(message)}</p>`);
}
