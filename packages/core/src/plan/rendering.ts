/**
 * A plan's rendering: its templates, found and compiled once for every step that uses them (the
 * render session), and its render threads, one per React template (the pools). Made by the plan,
 * or before it by a surface that can start the first step's template early — planProject does,
 * while the database opens — and closed by the plan when it ends, whichever made it.
 */
import { createRenderSession, type RenderSession } from '../email/render.js';
import { RenderPools } from '../email/render-pools.js';
import { warmTemplate } from './emit.js';
import type { PlanOptions } from './options.js';
import type { EmailAction } from './step-run.js';

export interface PlanRendering {
  renderPools: RenderPools;
  renderSession: RenderSession;
}

export function planRendering(options: Pick<PlanOptions, 'renderTimeoutMs'>): PlanRendering {
  return { renderPools: new RenderPools(options.renderTimeoutMs), renderSession: createRenderSession() };
}

/** The email actions of the steps a plan evaluates, in the config's order (all, or those `only` names). */
export function plannedActions(options: Pick<PlanOptions, 'config' | 'only'>): EmailAction[] {
  const { config, only } = options;
  return config.loops.flatMap((loop) =>
    loop.steps.filter((_, i) => !only || only.some((o) => o.loop === loop.id && o.step === i + 1)).map((step) => step.action),
  );
}

/** Starts the first planned step's template (compile, render thread) before the plan can. */
export function readyFirstTemplate(options: Pick<PlanOptions, 'config' | 'only' | 'keys' | 'render'>, rendering: PlanRendering): void {
  const first = plannedActions(options)[0];
  if (first && options.keys === undefined) warmTemplate({ ...options, ...rendering }, first);
}
