/**
 * A starter loop as an object (one step, the shape `defineConfig` takes, plus the comments the
 * starter writes beside it) and the one printer that writes it into skene.config.ts.
 */
import type { LoopType } from '@skene/sdk';
import type { StarterExpected } from './types.js';
import type { StarterTemplate } from './templates.js';

export type StarterTrigger = { type: 'schedule'; cron: string; note: string } | { type: 'database'; table: string; event: 'insert' };

export type StarterCondition =
  /** Printed over lines: the query is long. */
  | { type: 'query'; query: string; timeout: string }
  /** Printed on one line, below `note`. */
  | { type: 'redis'; command: string[]; timeout?: string; note: string };

export interface StarterAction {
  type: 'email';
  provider: 'resend';
  template: string;
  to?: string;
  personalization: Record<string, string>;
}

export interface StarterLoop {
  id: string;
  type: LoopType;
  opinion: string;
  step: {
    /** A comment above the trigger. */
    note?: string;
    trigger: StarterTrigger;
    condition?: StarterCondition;
    action: StarterAction;
  };
  recovery: { retries: number; backoff: 'exponential' };
}

/** What a dialect's starter contributes: its loop, the loop's email and the plan it promises. */
export interface LoopParts {
  loop: StarterLoop;
  template: StarterTemplate;
  expected: StarterExpected;
}

/** Every starter retries a failed send three times, backing off. */
export const RECOVERY: StarterLoop['recovery'] = { retries: 3, backoff: 'exponential' };

/** An email sent through Resend (the provider the starter's sender belongs to). */
export function resendEmail(template: string, personalization: Record<string, string>, to?: string): StarterAction {
  return { type: 'email', provider: 'resend', template, ...(to ? { to } : {}), personalization };
}

const str = (s: string) => `'${s}'`;

function triggerLine(trigger: StarterTrigger): string {
  if (trigger.type === 'schedule') return `trigger: { type: 'schedule', cron: ${str(trigger.cron)} }, // ${trigger.note}`;
  return `trigger: { type: 'database', table: ${str(trigger.table)}, event: ${str(trigger.event)} },`;
}

function conditionLines(condition: StarterCondition | undefined): string[] {
  if (!condition) return [];
  if (condition.type === 'query') {
    return ['condition: {', `  type: 'query',`, `  query: \`${condition.query}\`,`, `  timeout: ${str(condition.timeout)},`, '},'];
  }
  const timeout = condition.timeout ? `, timeout: ${str(condition.timeout)}` : '';
  return [`// ${condition.note}`, `condition: { type: 'redis', command: [${condition.command.map(str).join(', ')}]${timeout} },`];
}

const indented = (lines: string[], by: string) => lines.map((l) => by + l);

/** The loop as TypeScript, an object literal starting at column 0 (the caller indents it). */
export function printLoop(loop: StarterLoop): string {
  const { step } = loop;
  const action = step.action;
  const stepLines = [
    ...(step.note ? [`// ${step.note}`] : []),
    triggerLine(step.trigger),
    ...conditionLines(step.condition),
    'action: {',
    `  type: ${str(action.type)},`,
    `  provider: ${str(action.provider)},`,
    `  template: ${str(action.template)},`,
    ...(action.to ? [`  to: ${str(action.to)},`] : []),
    '  personalization: {',
    ...Object.entries(action.personalization).map(([key, value]) => `    ${key}: ${str(value)},`),
    '  },',
    '},',
  ];
  return [
    '{',
    `  id: ${str(loop.id)},`,
    `  type: ${str(loop.type)},`,
    `  opinion: ${str(loop.opinion)},`,
    '  steps: [',
    '    {',
    ...indented(stepLines, '      '),
    '    },',
    '  ],',
    `  recovery: { retries: ${loop.recovery.retries}, backoff: ${str(loop.recovery.backoff)} },`,
    '}',
  ].join('\n');
}
