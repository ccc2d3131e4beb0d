/** The plan in the worker: core's plan engine → the webview's model (plan-model.ts). */
import type { PlanResult } from './plan-model.js';
import type { WorkerRequest } from './worker-protocol.js';

export async function runPlan(request: Extract<WorkerRequest, { kind: 'plan' }>): Promise<PlanResult> {
  throw new Error(`skene plan is not available in this build (${request.config})`);
}
