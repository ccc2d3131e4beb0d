/** `skene status`'s goal columns per loop and step: sent, converted, the conversion rate and the median time to convert. */
import type { LoadedConfig } from '../plan/load-config.js';
import type { RunStateStore } from './state-store.js';

export interface GoalStatus {
  /** Emails sent whose goal is tracked. */
  sent: number;
  converted: number;
  notConverted: number;
  /** Still within their window. */
  checking: number;
  /** converted / sent, 0–1; null before any send. */
  conversionRate: number | null;
  /** The median time from send to conversion, in ms; null without conversions. */
  medianMs: number | null;
  /** The same, for people (`2h 5m`). */
  median: string | null;
}

/** Puts each step's goal counts on its status: every step of a loop with a goal, and any step the state has goal rows for. */
export async function addGoals(input: {
  store: RunStateStore;
  config?: Pick<LoadedConfig, 'loops'>;
  stepOf: (loop: string, step: number) => { goal?: GoalStatus };
}): Promise<void> {
  for (const loop of input.config?.loops ?? []) {
    if (loop.goal) for (let i = 1; i <= loop.steps.length; i++) input.stepOf(loop.id, i).goal = goalStatus(0, 0, 0, null);
  }
  for (const g of await input.store.goals.counts()) input.stepOf(g.loop, g.step).goal = goalStatus(g.tracked, g.converted, g.notConverted, g.medianMs);
}

function goalStatus(sent: number, converted: number, notConverted: number, medianMs: number | null): GoalStatus {
  return {
    sent,
    converted,
    notConverted,
    checking: sent - converted - notConverted,
    conversionRate: sent ? converted / sent : null,
    medianMs,
    median: medianMs === null ? null : duration(medianMs),
  };
}

/** A duration in its two largest units: `2d 3h`, `5m 10s`, `0s`. */
export function duration(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n && parts.length < 2) parts.push(`${n}${unit}`);
    else if (parts.length) break;
  }
  return parts.join(' ') || '0s';
}

/** One line of text for a step's goal. */
export function goalStatusLine(g: GoalStatus): string {
  const rate = g.conversionRate === null ? 'no email sent yet' : `${(g.conversionRate * 100).toFixed(1).replace(/\.0$/, '')}% conversion rate`;
  const parts = [`${g.sent} sent`, `${g.converted} converted`, rate, `median time to convert ${g.median ?? '—'}`];
  if (g.notConverted) parts.push(`${g.notConverted} not converted`);
  if (g.checking) parts.push(`${g.checking} within the window`);
  return `goal: ${parts.join(', ')}`;
}
