/**
 * The report of a project with no loops: what a pull request that adds the config is compared
 * with (every email it plans is "added"). Any surface comparing with a base that has no config
 * uses this, so the comparison reads the same in the Action, the CLI and the editor.
 */
import { DEFAULT_HORIZON } from './engine.js';
import { REPORT_FORMAT, REPORT_VERSION, emptyCounts, type PlanReport } from '../report/model.js';

export interface EmptyReportOptions {
  /** The instant the report stands for (ISO); default the Unix epoch, a fixed value. */
  at?: string;
  /** The config path, when there is one to name (relative, as in any report). */
  config?: string;
}

export function emptyReport(options: EmptyReportOptions = {}): PlanReport {
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    clock: { at: options.at ?? new Date(0).toISOString(), pinned: true, horizon: DEFAULT_HORIZON },
    source: { kind: 'none', label: 'none', seeds: [] },
    config: options.config ?? '',
    // Nothing to mask: showing keeps a comparison from masking the head's side twice.
    recipients: 'shown',
    totals: { loops: 0, steps: 0, ...emptyCounts() },
    loops: [],
    warnings: [],
  };
}
