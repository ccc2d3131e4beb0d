/**
 * The action's one call into the plan engine (@skene/core). Placeholder until the engine lands.
 */
import { ActionError } from './errors.js';

export interface PlanOptions {
  configFile: string;
  seed: string[];
  databaseUrl?: string;
  at: string;
  cwd: string;
  showRecipients: boolean;
  compareWith?: unknown;
}

export interface PlanRun {
  report: unknown;
  emails: number;
}

export async function planProject(_options: PlanOptions): Promise<PlanRun> {
  throw new ActionError('the plan engine is not available yet');
}
