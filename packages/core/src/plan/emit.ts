/**
 * Turns a step's qualifying events into planned emails: the recipient (`to`, default
 * `{{user.email}}`), the sender, the subject and the props resolved per email, then the body
 * rendered — HTML templates filled synchronously, React ones in the plan's render threads — or
 * the reason the event is not sent (no recipient, not an address).
 */
import { join } from 'node:path';
import { defaultTo, peopleOf } from '../analysis/people.js';
import { compilePlaceholders, contextResolver, isValidAddress, resolveAddresses, type RenderedEmail } from '../email/index.js';
import { prepareTemplate, type PreparedTemplate } from '../email/render.js';
import { defaultRenderThreads } from '../email/render-pool.js';
import type { EmailProps } from '../email/render-pool.js';
import type { ReactRenderer, RenderOutcome } from '../email/render-pools.js';
import type { PlannedEmail } from '../report/model.js';
import type { EmailAction, Emit, StepContext, StepRun } from './step-run.js';
import { unsubscribeLinks } from './unsubscribe.js';

/**
 * React emails a step renders on one render thread before it adds one per core. Threads take a
 * few hundred milliseconds to start and start cold; measured on 2 cores (bench/), a step of
 * 10,000 emails was 30% slower with them, one of 30,000 20% faster, one of 70,000 35% faster.
 */
export const RENDER_POOL_AFTER = 10_000;

/** Turns qualifying events into planned emails (or reasons they are not sent). */
export function emitter({ ctx, loop, step, stepNo, collector, goalKey }: Omit<StepRun, 'emit' | 'timeoutMs' | 'occurrences'>): {
  emit: Emit;
  /** Gets the step's template ready while its events are read (warmTemplate), and HTML ones filled as emitted. */
  warmUp(): void;
  /** Sends the emails still queued to render (the step has emitted its last). */
  flush(): void;
  /** After the step's emails: fails the step when a render thread stopped meanwhile. */
  finish(): Promise<void>;
} {
  const action = step.action;
  const emailsDir = join(ctx.config.dir, 'emails');
  const renderSession = ctx.renderSession; // the plan's: each template found and compiled once
  const env = ctx.env ?? process.env;
  const personalization = Object.entries(action.personalization ?? {}).map(([name, text]) => ({ name, fill: compilePlaceholders(text) }));
  // `to` defaults to the people table's email column (`{{user.email}}` unless `users.email` names another).
  const toTemplate = action.to ?? defaultTo(peopleOf(ctx.config.users));
  const to = compilePlaceholders(toTemplate);
  const subjectTemplate = action.subject === undefined ? undefined : compilePlaceholders(action.subject);
  // Non-transactional loops: each email's one-click unsubscribe link (unsubscribe.ts).
  const unsubscribe = unsubscribeLinks(ctx.config, loop, env);
  // A sender without placeholders (the usual case) is resolved once per step.
  const fromIsConstant = !/\{\{/.test(action.from ?? ctx.config.email?.from ?? env.SKENE_EMAIL_FROM ?? '');
  let constantFrom: { from?: string; problem?: string } | undefined;
  let prepared: PreparedTemplate | undefined;
  let preparing: Promise<PreparedTemplate> | undefined;
  let react: Promise<ReactRenderer> | undefined;
  const threads = renderThreads(ctx.renderThreads);
  const poolAfter = ctx.renderPoolAfter ?? RENDER_POOL_AFTER;
  let reactRenders = 0;
  let done = 0;

  const prepare = () => (preparing ??= prepareTemplate({ emailsDir, template: action.template, session: renderSession }).then((t) => (prepared = t)));
  const reactRenderer = (template: Extract<PreparedTemplate, { kind: 'react' }>) =>
    (react ??= ctx.renderPools.renderer({ template: action.template, file: template.file, bundle: template.bundle }));

  /** React renders (and any render before the template is prepared), in the plan's render threads. */
  const renderOutcomes = async (batch: readonly Queued[]): Promise<RenderOutcome[]> => {
    const template = await prepare();
    if (template.kind === 'html') return batch.map(({ props, subject }) => renderHere(() => template.render(props, subject) as RenderedEmail));
    const renderer = await reactRenderer(template);
    // A big step: the rest renders on every core.
    if (reactRenders <= poolAfter && reactRenders + batch.length > poolAfter && threads > 1) renderer.grow(threads);
    reactRenders += batch.length;
    return renderer.renderMany(batch);
  };
  /**
   * Fills the batch's slots in the report. An email that failed fails the step once the rest of
   * its batch is in: where a failure stops a step depends on the emails alone, not on timing.
   */
  const renderBatch = async (batch: readonly Queued[]) => {
    const outcomes = await renderOutcomes(batch);
    let failure: { failed: unknown } | undefined;
    batch.forEach((queued, i) => {
      const outcome = outcomes[i]!;
      if ('failed' in outcome) failure ??= outcome;
      else collector.emails[queued.slot] = plannedEmail(queued.planned, action.template, outcome, true);
    });
    if (failure) throw failure.failed;
  };
  // Emails waiting for a template that is not ready, or for React: sent to render in batches.
  let queued: Queued[] = [];
  const flush = () => {
    if (queued.length === 0) return;
    const batch = queued;
    queued = [];
    collector.track(renderBatch(batch), batch.length);
  };
  // An email's id is `loop/step/key`, then `@occurrence` for schedules: the parts that repeat are built once.
  const idPrefix = `${loop.id}/${stepNo}/`;
  let lastOccurrence: string | undefined;
  let idSuffix = '';

  const emit: Emit = (context, key, atIso, occurrence) => {
    done++;
    if (ctx.onProgress && done % 1000 === 0) ctx.onProgress({ loop: loop.id, step: stepNo, done });
    const resolve = contextResolver(context); // one per email, shared by its `{{}}`s
    const recipient = to(resolve);
    const toValue = recipient.value.trim();
    if (recipient.missing.length || !toValue) {
      collector.skip(
        recipient.missing.length
          ? `no recipient: ${recipient.missing.map((m) => `\`${m}\``).join(', ')} ${recipient.missing.length > 1 ? 'have' : 'has'} no value${action.to === undefined ? ` (\`to\` defaults to \`${toTemplate}\`)` : ''}`
          : `no recipient: \`to\` (${toTemplate}) is empty`,
        key,
      );
      return;
    }
    if (!isValidAddress(toValue)) {
      collector.skip(`not an email address: to (${toTemplate}) gives "${toValue}"`, key);
      return;
    }
    let problems: string[] | undefined; // most emails have none: no array for them
    const props: Record<string, string> = {};
    for (const p of personalization) {
      const result = p.fill(resolve);
      props[p.name] = result.value;
      for (const path of result.missing) (problems ??= []).push(`missing value: {{${path}}} (personalization.${p.name}) is empty`);
    }
    let sender = constantFrom;
    if (!sender) {
      const resolved = resolveAddresses({ action: { to: toValue, from: action.from }, config: ctx.config, context, env });
      const problem = resolved.problems.find((p) => p.field === 'from')?.message;
      sender = { ...(resolved.from ? { from: resolved.from } : {}), ...(problem ? { problem } : {}) };
      if (fromIsConstant) constantFrom = sender;
    }
    if (sender.problem) (problems ??= []).push(sender.problem);
    let subject: string | undefined;
    if (subjectTemplate) {
      const s = subjectTemplate(resolve);
      subject = s.value;
      for (const path of s.missing) (problems ??= []).push(`missing value: {{${path}}} (subject) is empty`);
    }
    collector.counts.emails++;
    if (occurrence !== lastOccurrence) {
      lastOccurrence = occurrence;
      idSuffix = occurrence ? `@${occurrence}` : '';
    }
    const link = unsubscribe?.(toValue);
    const planned: Planned = {
      id: [idPrefix, key, idSuffix].join(''),
      key,
      at: atIso,
      to: toValue,
      from: sender.from,
      props,
      problems,
      headers: link?.headers,
    };
    if (goalKey !== undefined) planned.userKey = userKeyOf(context.user, goalKey);
    // Templates see the link (`{{unsubscribeUrl}}`, the `unsubscribeUrl` prop); the report's props stay the personalization.
    const renderProps = link ? { ...props, unsubscribeUrl: link.url } : props;
    if (ctx.render === false) {
      collector.emails.push(plannedEmail(planned, action.template, { subject, missing: NONE }, false));
      return;
    }
    // HTML templates fill synchronously once compiled: no promise, no closure per email.
    if (prepared?.kind === 'html') {
      collector.emails.push(plannedEmail(planned, action.template, prepared.render(renderProps, subject) as RenderedEmail, true));
      return;
    }
    const slot = collector.emails.length;
    collector.emails.push(undefined as unknown as PlannedEmail);
    queued.push(subject === undefined ? { planned, props: renderProps, slot } : { planned, props: renderProps, subject, slot });
    if (queued.length >= RENDER_BATCH) flush();
  };
  return {
    emit,
    flush,
    warmUp() {
      if (ctx.render === false) return;
      prepare().catch(() => {}); // sets `prepared`: HTML emails are then filled as they are emitted
      warmTemplate(ctx, action);
    },
    finish: async () => (react ? (await react).check() : undefined),
  };
}

const NONE: readonly string[] = Object.freeze([]);

/**
 * Compiles a step's template and starts a React template's render thread now, while events are
 * read (this step's, or the step before's): each takes hundreds of milliseconds, and a query
 * leaves a core idle. The step finds both in the plan's session and pools. Failures are not
 * reported here: they fail the step where an email needs the template, as they would unwarmed.
 * Settles (never rejects) once the template is compiled.
 */
export function warmTemplate(ctx: Pick<StepContext, 'config' | 'render' | 'renderPools' | 'renderSession'>, action: EmailAction): Promise<void> {
  if (ctx.render === false) return Promise.resolve();
  const emailsDir = join(ctx.config.dir, 'emails');
  return prepareTemplate({ emailsDir, template: action.template, session: ctx.renderSession }).then(
    (template) =>
      void (template.kind === 'react' && ctx.renderPools.renderer({ template: action.template, file: template.file, bundle: template.bundle }).catch(() => {})),
    () => {},
  );
}

/**
 * Emails per render batch: one promise for all of them, and for a filled React template one
 * message to its render thread (a promise per email was most of a 70,000-email plan's garbage).
 */
const RENDER_BATCH = 256;

/** An email waiting for its body: its fields, its props and subject, and its slot in the report. */
interface Queued extends EmailProps {
  planned: Planned;
  slot: number;
}

/** A synchronous render's outcome (an HTML template), as a render thread's would be. */
function renderHere(render: () => RenderedEmail): RenderOutcome {
  try {
    return render();
  } catch (failed) {
    return { failed };
  }
}

/** An email's fields known before its template is rendered. */
interface Planned {
  id: string;
  key: string;
  at: string;
  to: string;
  from: string | undefined;
  props: Record<string, string>;
  problems: string[] | undefined;
  /** `List-Unsubscribe` and `List-Unsubscribe-Post`, for a loop that carries them. */
  headers: Record<string, string> | undefined;
  userKey?: string;
}

/** The recipient's key in the people table (the goal's `$1`), when the email has a person. */
function userKeyOf(user: unknown, column: string): string | undefined {
  const value = user && typeof user === 'object' ? (user as Record<string, unknown>)[column] : undefined;
  return value === null || value === undefined || value === '' ? undefined : String(value);
}

/** The report's entry (no spreads: this runs once per email). */
function plannedEmail(
  planned: Planned,
  template: string,
  rendered: { subject?: string; html?: string; text?: string; missing: readonly string[] },
  render: boolean,
): PlannedEmail {
  let problems = planned.problems;
  for (const m of rendered.missing) (problems ??= []).push(`missing value: {{${m}}} in the template is empty`);
  if (render && (rendered.subject === undefined || rendered.subject.trim() === '')) {
    (problems ??= []).push('no subject: set `subject` on the action or `export const subject` in the template');
  }
  // One literal in the report's key order: one allocation with every field in place. Absent
  // fields are undefined, which JSON leaves out, so the serialised report is unchanged.
  const email: PlannedEmail = {
    id: planned.id,
    key: planned.key,
    at: planned.at,
    to: planned.to,
    from: planned.from || undefined,
    subject: rendered.subject,
    template,
    props: planned.props,
    html: rendered.html,
    text: rendered.html === undefined ? undefined : rendered.text,
    headers: planned.headers,
    // One shared empty list for the many emails without problems (the report is read, never edited).
    problems: problems ?? (NONE as string[]),
  };
  // Only for a loop with a goal: other reports keep their exact shape.
  if (planned.userKey !== undefined) email.userKey = planned.userKey;
  return email;
}

/** A usable thread count: 1 to 64 (0 or less: 1, the plan's own thread); not a finite number: the default. */
function renderThreads(wanted: number | undefined): number {
  if (wanted === undefined || !Number.isFinite(wanted)) return defaultRenderThreads();
  return Math.max(1, Math.min(Math.floor(wanted), 64));
}
