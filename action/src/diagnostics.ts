/**
 * The job summary of a config that does not pass `skene check`: core's tsc-style text (file:line:col,
 * the source line, a caret, the fix) in a code block, under a line saying what was annotated.
 */
import { formatDiagnosticsText, plural, type CheckResult, type JsonDiagnostic } from '@skene/core';
import type { AnnotationCounts } from './annotations.js';
import { MAX_ANNOTATIONS_PER_KIND } from './annotations.js';
import { fence } from './markdown.js';

export function diagnosticsMarkdown(display: string, check: CheckResult, diagnostics: JsonDiagnostic[], counts: AnnotationCounts): string {
  const out = [`## Skene plan: \`${display}\` does not pass \`skene check\``, ''];
  const parts = [plural(counts.errors, 'error'), plural(counts.warnings, 'warning')];
  if (counts.notices) parts.push(plural(counts.notices, 'note'));
  out.push(`${parts.join(', ')}. No plan was made: fix the config and push again.`);
  if (counts.omitted) {
    out.push(
      '',
      `${plural(counts.omitted, 'more diagnostic')} ${counts.omitted === 1 ? 'is' : 'are'} listed here but not annotated (at most ${MAX_ANNOTATIONS_PER_KIND} annotations per kind).`,
    );
  }
  out.push('', fence(formatDiagnosticsText(check, display, false).trimEnd(), 'text'), '');
  if (diagnostics.some((d) => d.severity === 'error')) out.push(`Run \`npx skene check ${display}\` locally for the same list.`, '');
  return out.join('\n');
}

/** The error lines the comment quotes (the annotations carry all of them, with fixes). */
const COMMENT_ERROR_LINES = MAX_ANNOTATIONS_PER_KIND;
/** A message's first line is cut here: one SQL text must not crowd out the others. */
const COMMENT_LINE_CHARS = 240;

/**
 * The sticky comment when the config fails `skene check`: it replaces the last plan, which no longer
 * describes this commit, with the errors' first lines (as annotated) and what to do.
 */
export function checkFailedComment(display: string, diagnostics: JsonDiagnostic[], counts: AnnotationCounts, headSha?: string): string {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const shown = errors.slice(0, COMMENT_ERROR_LINES).map((d) => clip(`${d.file}:${d.line}:${d.column} ${d.code}: ${d.message.split('\n')[0]}`));
  const commit = headSha ? ` at commit \`${headSha.slice(0, 7)}\`` : '';
  const out = [
    `## Skene plan: \`${display}\` does not pass \`skene check\``,
    '',
    `> [!WARNING]`,
    `> ${plural(counts.errors, 'error')}${commit}, so no plan was made. This comment no longer shows the plan of an earlier commit: that is not what this pull request would send.`,
    '',
    fence(shown.join('\n'), 'text'),
    '',
  ];
  if (errors.length > shown.length) out.push(`…and ${plural(errors.length - shown.length, 'more error')}: the job summary lists them all.`, '');
  out.push(`Fix the config (\`npx skene check ${display}\` shows the same list, with fixes) and push again: this comment then shows the plan.`, '');
  return out.join('\n');
}

function clip(line: string): string {
  return line.length > COMMENT_LINE_CHARS ? `${line.slice(0, COMMENT_LINE_CHARS - 1)}…` : line;
}
