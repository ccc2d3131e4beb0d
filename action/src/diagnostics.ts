/**
 * The job summary of a config that does not pass `skene check`: core's tsc-style text (file:line:col,
 * the source line, a caret, the fix) in a code block, under a line saying what was annotated.
 */
import { formatDiagnosticsText, type CheckResult, type JsonDiagnostic } from '@skene/core';
import type { AnnotationCounts } from './annotations.js';
import { MAX_ANNOTATIONS_PER_KIND } from './annotations.js';
import { fence } from './markdown.js';

export function diagnosticsMarkdown(display: string, check: CheckResult, diagnostics: JsonDiagnostic[], counts: AnnotationCounts): string {
  const out = [`## Skene plan: \`${display}\` does not pass \`skene check\``, ''];
  const parts = [plural(counts.errors, 'error'), plural(counts.warnings, 'warning')];
  if (counts.notices) parts.push(plural(counts.notices, 'note'));
  out.push(`${parts.join(', ')}. No plan was made: fix the config and push again.`);
  if (counts.omitted) {
    out.push('', `${plural(counts.omitted, 'more diagnostic')} ${counts.omitted === 1 ? 'is' : 'are'} listed here but not annotated (at most ${MAX_ANNOTATIONS_PER_KIND} annotations per kind).`);
  }
  out.push('', fence(formatDiagnosticsText(check, display, false).trimEnd(), 'text'), '');
  if (diagnostics.some((d) => d.severity === 'error')) out.push(`Run \`npx skene check ${display}\` locally for the same list.`, '');
  return out.join('\n');
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
