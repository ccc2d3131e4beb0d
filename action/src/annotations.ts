/**
 * Diagnostics from `checkConfigFile` as workflow annotations at the config's file and line
 * (at most 10 per kind: GitHub shows 10 per step anyway, and a flood hides the first cause).
 */
import * as core from '@actions/core';
import type { JsonDiagnostic } from '@skene/core';

export const MAX_ANNOTATIONS_PER_KIND = 10;

export interface AnnotationCounts {
  errors: number;
  warnings: number;
  notices: number;
  /** Annotations not written because of the per-kind cap. */
  omitted: number;
}

/** `file` in each diagnostic must be relative to the repository root (GITHUB_WORKSPACE). */
export function annotate(diagnostics: JsonDiagnostic[]): AnnotationCounts {
  const counts: AnnotationCounts = { errors: 0, warnings: 0, notices: 0, omitted: 0 };
  const written = { error: 0, warning: 0, info: 0 };
  for (const d of diagnostics) {
    if (d.severity === 'error') counts.errors++;
    else if (d.severity === 'warning') counts.warnings++;
    else counts.notices++;
    if (written[d.severity] >= MAX_ANNOTATIONS_PER_KIND) {
      counts.omitted++;
      continue;
    }
    written[d.severity]++;
    const properties: core.AnnotationProperties = {
      title: `${d.code}`,
      file: d.file,
      startLine: d.line,
      startColumn: d.column,
      endLine: d.endLine,
      // GitHub reads columns only on single-line annotations.
      ...(d.endLine === d.line ? { endColumn: d.endColumn } : {}),
    };
    const message = `${d.code}: ${d.message}`;
    if (d.severity === 'error') core.error(message, properties);
    else if (d.severity === 'warning') core.warning(message, properties);
    else core.notice(message, properties);
  }
  return counts;
}
