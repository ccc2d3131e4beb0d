import type { PlanRun } from './plan.js';

export function summaryMarkdown(_plan: PlanRun, _o: unknown): string { return ''; }
export function commentMarkdown(_plan: PlanRun, _o: unknown): string { return ''; }
export function overLimitMessage(_plan: PlanRun, _max: number): string { return ''; }
