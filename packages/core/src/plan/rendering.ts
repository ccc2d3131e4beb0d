/**
 * A plan's rendering: its templates, found and compiled once for every step that uses them (the
 * render session), and its render threads, one per React template (the pools). Made by the plan,
 * or before it by a surface that can start its templates early — planProject does,
 * while the database opens — and closed by the plan when it ends, whichever made it.
 */
import { join } from 'node:path';
import { createRenderSession, prepareTemplate, type RenderSession } from '../email/render.js';
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

/**
 * Whether a plan evaluates a loop's step (1-based, as the config numbers it and an email's id
 * holds it): every step, or only those `only` names. Without `stepNo`: any step of the loop.
 */
export function isPlanned(options: Pick<PlanOptions, 'only'>, loopId: string, stepNo?: number): boolean {
  return !options.only || options.only.some((o) => o.loop === loopId && (stepNo === undefined || o.step === stepNo));
}

/** The email actions of the steps a plan evaluates, in the config's order. */
export function plannedActions(options: Pick<PlanOptions, 'config' | 'only'>): EmailAction[] {
  return options.config.loops.flatMap((loop) => loop.steps.filter((_, i) => isPlanned(options, loop.id, i + 1)).map((step) => step.action));
}

/**
 * Before the plan can (while the database opens): compiles the templates of the planned steps,
 * one after another, and starts the first one's render thread. The later steps' threads start a
 * step ahead, as the plan goes (engine.ts): a thread holds a React of its own.
 */
export function readyTemplates(options: Pick<PlanOptions, 'config' | 'only' | 'keys' | 'render'>, rendering: PlanRendering): void {
  if (options.keys !== undefined || options.render === false) return;
  const byTemplate = new Map(plannedActions(options).map((action) => [action.template, action]));
  const [first, ...rest] = byTemplate.values();
  if (!first) return;
  const emailsDir = join(options.config.dir, 'emails');
  let chain = warmTemplate({ ...options, ...rendering }, first);
  for (const { template } of rest) {
    chain = chain.then(() =>
      rendering.renderPools.isClosed
        ? undefined
        : prepareTemplate({ emailsDir, template, session: rendering.renderSession }).then(
            () => {},
            () => {},
          ),
    );
  }
}
