/**
 * A plan's rendering: its templates, found and compiled once for every step that uses them (the
 * render session), and its render threads, one per React template (the pools). Made by the plan,
 * or before it by a surface that can start its templates early — planProject does,
 * while the database opens — and closed by the plan when it ends, whichever made it.
 */
import { join } from 'node:path';
import { createRenderSession, prepareTemplate, type RenderSession } from '../email/render.js';
import { RenderPools } from '../email/render-pools.js';
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
 * one after another, and starts the first one's render thread. The later ones' threads start one
 * after another, each once the one before is up, for as long as the database is still opening
 * (`opening`): an embedded PostgreSQL takes seconds to open on one core, and each thread's start
 * (loading React, proving the template) would otherwise come after it, on the plan's critical
 * path. Once the database is open, threads start a step ahead, as the plan goes (engine.ts). A
 * plan ends with a thread per React template either way (each holds a React of its own): sooner
 * costs no memory the plan would not hold anyway.
 */
export function readyTemplates(options: Pick<PlanOptions, 'config' | 'only' | 'keys' | 'render'>, rendering: PlanRendering, opening: () => boolean): void {
  if (options.keys !== undefined || options.render === false) return;
  const actions = [...new Map(plannedActions(options).map((action) => [action.template, action])).values()];
  if (!actions.length) return;
  const emailsDir = join(options.config.dir, 'emails');
  const prepare = (template: string) => prepareTemplate({ emailsDir, template, session: rendering.renderSession });
  let compiled: Promise<unknown> = Promise.resolve();
  for (const { template } of actions) compiled = compiled.then(() => (rendering.renderPools.isClosed ? undefined : prepare(template).catch(() => {})));
  void startThreads({ actions, prepare, rendering, opening });
}

/** The render threads of `actions`' React templates, one after another: the first always, the others while the database opens. */
async function startThreads(options: {
  actions: EmailAction[];
  prepare: (template: string) => ReturnType<typeof prepareTemplate>;
  rendering: PlanRendering;
  opening: () => boolean;
}): Promise<void> {
  const { renderPools } = options.rendering;
  for (const [i, { template }] of options.actions.entries()) {
    const prepared = await options.prepare(template).catch(() => undefined);
    if (renderPools.isClosed || (i > 0 && !options.opening())) return;
    // Failures are not reported here: they fail the step where an email needs the template.
    if (prepared?.kind === 'react') await renderPools.renderer({ template, file: prepared.file, bundle: prepared.bundle }).catch(() => {});
  }
}
