/**
 * The plan: evaluates every loop as a live run would at one instant and lists the emails it
 * would send, rendered. It never sends and never writes (see sources/ and guard.ts).
 *
 * - database trigger: every row of the table (or those created since `--since`) is one event;
 *   the condition is evaluated for a batch of rows per statement; rows whose condition does not
 *   hold are counted as waiting.
 * - schedule trigger: fires at each cron occurrence in [at, at + horizon), each evaluated with
 *   the clock at that occurrence; every row the condition returns is a recipient.
 */
import { createHash } from 'node:crypto';
import { join, relative, sep } from 'node:path';
import { DEFAULT_TO, compilePlaceholders, contextResolver, createRenderSession, interpolate, isValidAddress, resolveAddresses, EmailTemplateError, type RenderedEmail, type TemplateContext } from '../email/index.js';
import { prepareTemplate, type PreparedTemplate } from '../email/render.js';
import { defaultRenderThreads } from '../email/render-pool.js';
import { RenderPools, type ReactRenderer } from '../email/render-pools.js';
import { SourceError, type DataSource, type RedisSource, type Row, type SqlSession, type SqlSource } from '../sources/types.js';
import { formatMs } from '../sources/postgres-session.js';
import { addCounts, emptyCounts, REPORT_FORMAT, REPORT_VERSION, type Counts, type LoopReport, type PlannedEmail, type PlanReport, type StepReport } from '../report/model.js';
import { cronOccurrences, parseDuration } from './clock.js';
import { isUsersTable, USERS_TABLE } from '../analysis/table-names.js';
import { applyAllowFunctions, firstError, guardCondition, guardRedisCommand, GuardRefusal, type GuardProblem } from '../guard/index.js';
import { loadMysqlParser } from '../sql/mysql.js';
import { loadPostgresParser } from '../sql/postgres.js';
import { postgresCatalog } from './catalog.js';
import { locateGuardFindings } from './locate.js';
import { findParams, withoutTrailingSemicolon } from './params.js';
import { withRetries, RetriedError, type RetryOptions } from './retry.js';
import * as SQL from './sql.js';
import { plainRow, plainValue, sortByKey } from './values.js';
import type { LoadedConfig } from './load-config.js';

type Loop = LoadedConfig['loops'][number];
type Step = Loop['steps'][number];
type EmailAction = Step['action'];

export interface PlanProgress {
  loop: string;
  step: number;
  /** Events evaluated so far in this step. */
  done: number;
}

export interface PlanOptions {
  config: LoadedConfig;
  source: DataSource;
  /** The pinned instant (`--at`). Absent: the current time, and the report says the clock is not pinned. */
  at?: Date;
  /** Schedule horizon (`--horizon`), default 1 day. */
  horizon?: string;
  /** Only rows created at or after this instant count as database-trigger events (`--since`). */
  since?: Date;
  /** Seed paths, for the report. */
  seeds?: string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Keys per condition statement (default 1000). */
  batchSize?: number;
  /** Cap on any query's deadline (default 30 s): `condition.timeout` may lower it, never raise it. */
  maxQueryTimeoutMs?: number;
  retry?: RetryOptions;
  onProgress?: (progress: PlanProgress) => void;
  /** Render each email's body (default true). False lists recipients and props only: faster for huge plans. */
  render?: boolean;
  /**
   * Threads that render React Email templates once a step has many emails (default: one per
   * core, at most 8). React always renders off the plan's thread, in one thread at least.
   */
  renderThreads?: number;
  /** React emails a step renders in one render thread before it adds the others (default 10,000). */
  renderPoolAfter?: number;
  /** The longest one email may take to render before its step fails (default 2 minutes). */
  renderTimeoutMs?: number;
  /** The current time when `at` is absent (tests). */
  now?: () => Date;
}

export const DEFAULT_HORIZON = '1d';
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;
export const WAITING = 'waiting: condition not met';

class StepFailure extends Error {
  constructor(
    message: string,
    readonly kind: string,
    readonly attempts = 1,
    /** The guard's verdict when the read-only guard refused the step (its code and position). */
    readonly guard?: GuardProblem,
  ) {
    super(message);
  }
}

export async function runPlan(options: PlanOptions): Promise<PlanReport> {
  const cwd = options.cwd ?? process.cwd();
  const pinned = options.at !== undefined;
  const at = options.at ?? (options.now ?? (() => new Date()))();
  const horizon = options.horizon ?? DEFAULT_HORIZON;
  const horizonMs = parseDuration(horizon);
  if (horizonMs === undefined) throw new Error(`invalid horizon "${horizon}": write a duration such as 12h, 1d or 7d`);
  // The read-only guard reads every condition with the real parser of its dialect.
  if (options.source.dialect === 'postgres') await loadPostgresParser();
  if (options.source.dialect === 'mysql') await loadMysqlParser();

  const warnings: string[] = [];
  if (!pinned) {
    warnings.push(`clock not pinned: planned at the current time (${at.toISOString()}); pass --at <ISO time> for a plan that is the same on every run`);
  }
  const report: PlanReport = {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    clock: { at: at.toISOString(), pinned, horizon, ...(options.since ? { since: options.since.toISOString() } : {}) },
    source: { kind: options.source.kind, label: options.source.label, seeds: (options.seeds ?? []).map((s) => toPosix(relative(cwd, join(cwd, s)) || '.')) },
    config: toPosix(relative(cwd, options.config.file)),
    recipients: 'shown',
    totals: { loops: 0, steps: 0, ...emptyCounts() },
    loops: [],
    warnings,
  };

  const renderPools = new RenderPools(options.renderTimeoutMs);
  try {
    for (const loop of options.config.loops) {
      const loopReport: LoopReport = { id: loop.id, type: loop.type, opinion: loop.opinion, counts: emptyCounts(), steps: [] };
      for (let i = 0; i < loop.steps.length; i++) {
        const step = await planStep({ ...options, at, horizonMs, cwd, renderPools }, loop, loop.steps[i]!, i + 1);
        loopReport.steps.push(step);
        addCounts(loopReport.counts, step.counts);
        report.totals.steps++;
      }
      report.loops.push(loopReport);
      report.totals.loops++;
      addCounts(report.totals, loopReport.counts);
    }
  } finally {
    await renderPools.close();
  }
  await locateGuardFindings(report, options.config.file);
  return report;
}

interface StepContext extends PlanOptions {
  at: Date;
  horizonMs: number;
  cwd: string;
  /** The plan's render threads, one pool per React template. */
  renderPools: RenderPools;
}

/** What one step collects while it runs. */
class StepCollector {
  counts: Counts = emptyCounts();
  emails: PlannedEmail[] = [];
  notSent = new Map<string, { count: number; examples: string[] }>();
  /** Renders in flight, oldest first from `head`. Each settles by its deadline (see RenderPools). */
  private pending: (Promise<void> | undefined)[] = [];
  private head = 0;
  /** Whether a render overran its deadline: the step is then given up without waiting on the rest. */
  private overran = false;

  get inFlight(): number {
    return this.pending.length - this.head;
  }

  /** Whether the step must wait for its oldest render before it emits more. */
  get full(): boolean {
    return this.inFlight >= RENDER_WINDOW;
  }

  /** A render in flight. Its failure is read by `next`, which may come after other awaits. */
  track(render: Promise<void>) {
    render.catch(() => {}); // handled: not an unhandled rejection meanwhile
    this.pending.push(render);
  }

  /**
   * Waits for the oldest render in flight; its failure (a broken template) fails the step. Oldest
   * first, with a fixed window: where a failure stops the step depends on the emails only, not
   * on how fast, or on how many threads, they render.
   */
  async next() {
    const oldest = this.pending[this.head];
    this.pending[this.head++] = undefined;
    if (this.head >= 4096 && this.head * 2 >= this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    try {
      await oldest;
    } catch (error) {
      if (error instanceof EmailTemplateError && error.code === 'render-timeout') this.overran = true;
      throw error;
    }
  }

  /** Waits for every render in flight, in order. */
  async settle() {
    while (this.inFlight > 0) await this.next();
  }

  /**
   * After a failure: lets the renders still in flight end, whatever they give, so that the emails
   * kept do not depend on timing. Not after an overrun: the deadline has been waited once.
   */
  async abandon() {
    if (!this.overran) await Promise.allSettled(this.pending.slice(this.head));
    this.pending = [];
    this.head = 0;
  }

  skip(reason: string, key: string, waiting = false) {
    if (waiting) this.counts.waiting++;
    else this.counts.skipped++;
    const entry = this.notSent.get(reason) ?? { count: 0, examples: [] };
    entry.count++;
    if (entry.examples.length < 5) entry.examples.push(key);
    this.notSent.set(reason, entry);
  }
}

async function planStep(ctx: StepContext, loop: Loop, step: Step, stepNo: number): Promise<StepReport> {
  const trigger = step.trigger;
  const condition = step.condition;
  const timeoutMs = queryTimeout(ctx, condition?.timeout);
  const occurrences = trigger.type === 'schedule' ? safeOccurrences(trigger.cron, trigger.timezone, ctx.at, ctx.horizonMs) : [];
  const report: StepReport = {
    step: stepNo,
    trigger:
      trigger.type === 'database'
        ? { type: 'database', table: trigger.table, event: trigger.event }
        : { type: 'schedule', cron: trigger.cron, timezone: trigger.timezone ?? 'UTC', occurrences: (occurrences instanceof Error ? [] : occurrences).map((d) => d.toISOString()) },
    ...(condition
      ? {
          condition:
            condition.type === 'query'
              ? { type: 'query' as const, query: condition.query.trim(), ...(condition.timeout ? { timeout: condition.timeout } : {}), deadline: formatMs(timeoutMs) }
              : { type: 'redis' as const, command: condition.command, ...(condition.timeout ? { timeout: condition.timeout } : {}), deadline: formatMs(timeoutMs) },
        }
      : {}),
    template: step.action.template,
    counts: emptyCounts(),
    notSent: [],
    emails: [],
    errors: [],
  };
  const collector = new StepCollector();
  const { emit } = emitter(ctx, loop, step.action, stepNo, collector);
  try {
    if (occurrences instanceof Error) throw new StepFailure(occurrences.message, 'config');
    const source = ctx.source;
    if (source.dialect === 'redis') {
      if (condition?.type === 'query') {
        throw new StepFailure(
          `the condition is SQL but the data source is Redis (${source.label}): Redis has no SQL — write { type: 'redis', command: ['SISMEMBER', 'user_actions:{{user.id}}', 'first_project_created'] }`,
          'config',
        );
      }
      if (condition?.type === 'redis') refuseUnlessAllowed(guardRedisCommand(condition.command), undefined, report);
      if (trigger.type === 'database') await redisDatabaseStep(ctx, source, loop, step, stepNo, timeoutMs, collector, emit);
      else await redisScheduleStep(ctx, source, loop, step, stepNo, occurrences as Date[], timeoutMs, collector, emit);
    } else {
      if (condition?.type === 'redis') {
        throw new StepFailure(`the condition is a Redis command but the data source is SQL (${source.label}): write { type: 'query', query: 'SELECT …' }`, 'config');
      }
      if (condition) refuseUnlessAllowed(guardCondition(condition.query, source.dialect), ctx.config.database?.allowFunctions, report);
      await source.readOnly(async (session) => {
        // Again with the database's own catalog: its functions and operators, which may shadow built-ins.
        if (condition && source.dialect === 'postgres') {
          refuseUnlessAllowed(guardCondition(condition.query, 'postgres', await postgresCatalog(source, session, ctx.at)), ctx.config.database?.allowFunctions, undefined);
        }
        if (trigger.type === 'database') await sqlDatabaseStep(ctx, source, session, loop, step, stepNo, timeoutMs, collector, emit);
        else await sqlScheduleStep(ctx, source, session, loop, step, stepNo, occurrences as Date[], timeoutMs, collector, emit);
      });
    }
    await collector.settle();
  } catch (error) {
    await collector.abandon();
    const failure = toFailure(error);
    collector.counts.errors++;
    report.errors.push({
      loop: loop.id,
      step: stepNo,
      kind: failure.kind,
      message: failure.message,
      attempts: failure.attempts,
      ...(failure.guard ? { code: failure.guard.code, offset: failure.guard.start } : {}),
    });
  }
  report.counts = collector.counts;
  // Key order by code point / number, not the database's collation: every source lists alike.
  report.emails = sortByKey(
    collector.emails.includes(undefined as unknown as PlannedEmail) ? collector.emails.filter((e) => e !== undefined) : collector.emails,
    (e) => e.key,
    (e) => e.at,
  );
  report.counts.emails = report.emails.length;
  report.notSent = [...collector.notSent].map(([reason, v]) => ({ reason, count: v.count, examples: v.examples }));
  return report;
}

/** Refuses the step when the guard found an error; vouched-for functions become the step's warnings. */
function refuseUnlessAllowed(problems: readonly GuardProblem[], allowFunctions: readonly string[] | undefined, report: StepReport | undefined): void {
  const verdict = applyAllowFunctions(problems, allowFunctions);
  const refused = firstError(verdict);
  if (refused) throw new GuardRefusal(refused);
  if (report) for (const warning of verdict) (report.warnings ??= []).push({ code: warning.code, message: warning.message, offset: warning.start });
}

function toFailure(error: unknown): StepFailure {
  if (error instanceof StepFailure) return error;
  if (error instanceof GuardRefusal) return new StepFailure(error.message, 'read-only', 1, error.problem);
  if (error instanceof RetriedError) {
    const inner = toFailure(error.cause);
    return new StepFailure(error.attempts > 1 ? `${inner.message} (${error.attempts} attempts)` : inner.message, inner.kind, error.attempts);
  }
  if (error instanceof SourceError) return new StepFailure(error.message, error.kind);
  if (error instanceof EmailTemplateError) return new StepFailure(error.message, 'template');
  return new StepFailure(error instanceof Error ? error.message : String(error), 'error');
}

function safeOccurrences(cron: string, timezone: string | undefined, at: Date, horizonMs: number): Date[] | Error {
  try {
    return cronOccurrences(cron, timezone, at, horizonMs);
  } catch (error) {
    return new Error(`invalid schedule "${cron}"${timezone ? ` in ${timezone}` : ''}: ${(error as Error).message}`);
  }
}

function queryTimeout(ctx: StepContext, timeout: string | undefined): number {
  const cap = ctx.maxQueryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const wanted = timeout ? parseDuration(timeout) : undefined;
  return Math.min(wanted ?? cap, cap);
}

/** Emits one qualifying event; `atIso` is when it would be sent, `occurrence` set for schedules. */
type Emit = (context: TemplateContext, key: string, atIso: string, occurrence?: string) => void;

/**
 * Renders in flight at once (React; HTML fills are synchronous): enough to keep every render
 * thread busy, the same for every thread count (see StepCollector.next). Order is kept by slot.
 */
const RENDER_WINDOW = 1024;
/**
 * React renders in the plan's thread before a step starts worker threads for the rest. Threads
 * take a few hundred milliseconds to start and start cold; measured on 2 cores (bench/), a step
 * of 10,000 emails was 30% slower with them, one of 30,000 20% faster, one of 70,000 35% faster.
 */
export const RENDER_POOL_AFTER = 10_000;

/** Turns qualifying events into planned emails (or reasons they are not sent). */
function emitter(ctx: StepContext, loop: Loop, action: EmailAction, stepNo: number, collector: StepCollector): { emit: Emit } {
  const emailsDir = join(ctx.config.dir, 'emails');
  const renderSession = createRenderSession(); // this step's template: found and compiled once
  const env = ctx.env ?? process.env;
  const personalization = Object.entries(action.personalization ?? {}).map(([name, text]) => ({ name, fill: compilePlaceholders(text) }));
  const to = compilePlaceholders(action.to ?? DEFAULT_TO);
  const subjectTemplate = action.subject === undefined ? undefined : compilePlaceholders(action.subject);
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

  /** React renders (and any render before the template is prepared), in the plan's render threads. */
  const renderLater = async (props: Record<string, string>, subject: string | undefined) => {
    preparing ??= prepareTemplate({ emailsDir, template: action.template, session: renderSession }).then((t) => (prepared = t));
    const template = await preparing;
    if (template.kind === 'html') return template.render(props, subject);
    react ??= ctx.renderPools.renderer({ template: action.template, file: template.file, bundle: template.bundle });
    const renderer = await react;
    // A big step: the rest renders on every core.
    if (++reactRenders === poolAfter + 1 && threads > 1) renderer.grow(threads);
    return renderer.render(props, subject);
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
          ? `no recipient: ${recipient.missing.map((m) => `\`${m}\``).join(', ')} ${recipient.missing.length > 1 ? 'have' : 'has'} no value${action.to === undefined ? ' (`to` defaults to `{{user.email}}`)' : ''}`
          : `no recipient: \`to\` (${action.to ?? DEFAULT_TO}) is empty`,
        key,
      );
      return;
    }
    if (!isValidAddress(toValue)) {
      collector.skip(`not an email address: to (${action.to ?? DEFAULT_TO}) gives "${toValue}"`, key);
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
    const planned: Planned = { id: [idPrefix, key, idSuffix].join(''), key, at: atIso, to: toValue, from: sender.from, props, problems };
    if (ctx.render === false) {
      collector.emails.push(plannedEmail(planned, action.template, { subject, missing: NONE }, false));
      return;
    }
    // HTML templates fill synchronously once compiled: no promise, no closure per email.
    if (prepared?.kind === 'html') {
      collector.emails.push(plannedEmail(planned, action.template, prepared.render(props, subject) as RenderedEmail, true));
      return;
    }
    const slot = collector.emails.length;
    collector.emails.push(undefined as unknown as PlannedEmail);
    collector.track(
      (async () => {
        collector.emails[slot] = plannedEmail(planned, action.template, await renderLater(props, subject), true);
      })(),
    );
  };
  return { emit };
}

const NONE: readonly string[] = Object.freeze([]);

/** An email's fields known before its template is rendered. */
interface Planned {
  id: string;
  key: string;
  at: string;
  to: string;
  from: string | undefined;
  props: Record<string, string>;
  problems: string[] | undefined;
}

/** The report's entry (no spreads: this runs once per email). */
function plannedEmail(planned: Planned, template: string, rendered: { subject?: string; html?: string; text?: string; missing: readonly string[] }, render: boolean): PlannedEmail {
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
    // One shared empty list for the many emails without problems (the report is read, never edited).
    problems: problems ?? (NONE as string[]),
  };
  return email;
}

/** A usable thread count: 1 to 64 (0 or less: 1, the plan's own thread); not a finite number: the default. */
function renderThreads(wanted: number | undefined): number {
  if (wanted === undefined || !Number.isFinite(wanted)) return defaultRenderThreads();
  return Math.max(1, Math.min(Math.floor(wanted), 64));
}

function loopContext(loop: Loop): Row {
  return { id: loop.id, type: loop.type, opinion: loop.opinion };
}

/** Runs one statement with the loop's recovery policy. */
function run(ctx: StepContext, loop: Loop, session: SqlSession, statement: SQL.Statement, at: Date, timeoutMs: number): Promise<Row[]> {
  return withRetries(() => session.query(statement.sql, statement.params, { at, timeoutMs }), loop.recovery, ctx.retry);
}

async function sqlDatabaseStep(
  ctx: StepContext,
  source: SqlSource,
  session: SqlSession,
  loop: Loop,
  step: Step,
  stepNo: number,
  timeoutMs: number,
  collector: StepCollector,
  emit: Emit,
) {
  const trigger = step.trigger as Extract<Step['trigger'], { type: 'database' }>;
  const dialect = source.dialect;
  const q = (statement: SQL.Statement) => run(ctx, loop, session, statement, ctx.at, timeoutMs);
  const table = trigger.table;
  const key = await keyColumn(q, dialect, table);
  const columns = (await q(SQL.columnsQuery(dialect, table))).map((r) => String(r.column_name));
  let since: { column: string; at: Date } | undefined;
  if (ctx.since) {
    const column = ['created_at', 'inserted_at', 'createdAt', 'created'].find((c) => columns.includes(c));
    if (!column) throw new StepFailure(`--since needs a creation time on ${table}: it has no created_at column`, 'config');
    since = { column, at: ctx.since };
  }
  const condition = step.condition?.type === 'query'
    ? { ...findParams(withoutTrailingSemicolon(step.condition.query), dialect), allowFunctions: ctx.config.database?.allowFunctions }
    : undefined;
  if (condition && condition.highest > 1) {
    throw new StepFailure(`the condition uses $${condition.highest}, but a database trigger gives only $1 (the ${table} row's ${key})`, 'config');
  }
  const isUsers = isUsersTable(table);
  const userIdColumn = isUsers ? undefined : ['user_id', 'userId'].find((c) => columns.includes(c));
  const usersKey = isUsers ? key : userIdColumn ? await keyColumn(q, dialect, USERS_TABLE).catch(() => 'id') : undefined;
  const batchSize = ctx.batchSize ?? 1000;
  const loopRow = loopContext(loop);
  const atIso = ctx.at.toISOString();

  let afterKey: unknown;
  for (;;) {
    let page: Row[];
    const matches = new Map<string, Row>();
    if (condition && dialect === 'postgres' && session.queryArrays) {
      // Rows and their condition in one set-based statement per batch.
      const statement = SQL.pageWithConditionQuery(table, key, condition, { afterKey, since, limit: batchSize });
      const result = await withRetries(() => session.queryArrays!(statement.sql, statement.params, { at: ctx.at, timeoutMs }), loop.recovery, ctx.retry);
      const hit = result.fields.lastIndexOf(SQL.HIT_COLUMN);
      page = result.rows.map((values) => {
        const row: Row = {};
        for (let i = 0; i < hit; i++) row[result.fields[i]!] = plainValue(values[i]);
        if (values[hit] !== null) {
          const match: Row = {};
          for (let i = hit + 1; i < values.length; i++) match[result.fields[i]!] = plainValue(values[i]);
          matches.set(String(row[key]), match);
        }
        return row;
      });
    } else {
      page = (await q(SQL.pageQuery(dialect, table, key, { afterKey, since, limit: batchSize }))).map(plainRow);
      if (condition && page.length) {
        for (const row of await q(SQL.conditionBatchQuery(dialect, table, key, condition, page.map((r) => r[key])))) {
          const { [SQL.KEY_COLUMN]: k, ...match } = row;
          matches.set(String(k), plainRow(match));
        }
      }
    }
    if (page.length === 0) break;
    afterKey = page[page.length - 1]![key];
    const users = new Map<string, Row>();
    if (!isUsers && userIdColumn && usersKey) {
      const ids = [...new Set(page.map((r) => r[userIdColumn]).filter((v) => v !== null && v !== undefined))];
      if (ids.length) for (const u of await q(SQL.usersQuery(dialect, USERS_TABLE, usersKey, ids))) users.set(String(u[usersKey]), plainRow(u));
    }
    for (const row of page) {
      const k = String(row[key]);
      collector.counts.events++;
      if (condition && !matches.has(k)) {
        collector.skip(WAITING, k, true);
        continue;
      }
      const user = isUsers ? row : userIdColumn ? users.get(String(row[userIdColumn])) : undefined;
      if (!user) {
        collector.skip(userIdColumn ? `no user: ${table}.${userIdColumn} matches no ${USERS_TABLE} row` : `no user: ${table} has no user_id column`, k);
        continue;
      }
      emit({ user, row, match: matches.get(k) ?? null, loop: loopRow, now: atIso }, k, atIso);
      if (collector.full) await collector.next();
    }
    if (page.length < batchSize) break;
  }
}

async function keyColumn(q: (s: SQL.Statement) => Promise<Row[]>, dialect: SqlSource['dialect'], table: string): Promise<string> {
  const found = (await q(SQL.tableExistsQuery(dialect, table)))[0]?.found;
  if (!found || found === '0') throw new StepFailure(`table ${table} does not exist in the database`, 'config');
  const keys = (await q(SQL.primaryKeyQuery(dialect, table))).map((r) => String(r.column_name));
  if (keys.length > 1) throw new StepFailure(`${table} has a composite primary key (${keys.join(', ')}): a database trigger's $1 is one key`, 'config');
  if (keys.length === 1) return keys[0]!;
  const columns = (await q(SQL.columnsQuery(dialect, table))).map((r) => String(r.column_name));
  if (columns.includes('id')) return 'id';
  throw new StepFailure(`${table} has no primary key and no id column: a database trigger needs one key per row`, 'config');
}

async function sqlScheduleStep(
  ctx: StepContext,
  source: SqlSource,
  session: SqlSession,
  loop: Loop,
  step: Step,
  stepNo: number,
  occurrences: Date[],
  timeoutMs: number,
  collector: StepCollector,
  emit: Emit,
) {
  const dialect = source.dialect;
  let statement: SQL.Statement;
  if (step.condition?.type === 'query') {
    const params = findParams(step.condition.query, dialect);
    if (params.highest > 0) {
      throw new StepFailure(`the condition uses $${params.highest}, but a schedule trigger has no row: its query returns the recipients`, 'config');
    }
    statement = { sql: withoutTrailingSemicolon(step.condition.query), params: [] };
  } else {
    const key = await keyColumn((s) => run(ctx, loop, session, s, ctx.at, timeoutMs), dialect, USERS_TABLE);
    statement = SQL.allUsersQuery(dialect, USERS_TABLE, key);
  }
  const loopRow = loopContext(loop);
  for (const occurrence of occurrences) {
    const rows = (await run(ctx, loop, session, statement, occurrence, timeoutMs)).map(plainRow);
    await emitRecipients(rows, occurrence, collector, emit, loopRow);
  }
}

/** Schedule recipients in a stable order (by user id, else address), so every source lists them alike. */
async function emitRecipients(rows: Row[], occurrence: Date, collector: StepCollector, emit: Emit, loopRow: Row) {
  const keys = rows.map(recipientKey);
  const iso = occurrence.toISOString();
  for (const i of sortByKey(rows.map((_, i) => i), (i) => keys[i]!)) {
    const user = rows[i]!;
    collector.counts.events++;
    emit({ user, match: user, loop: loopRow, now: iso }, keys[i]!, iso, iso);
    if (collector.full) await collector.next();
  }
}

function recipientKey(user: Row): string {
  const id = user.id ?? user.user_id;
  if (id !== null && id !== undefined && id !== '') return String(id);
  const email = user.email ?? JSON.stringify(user);
  return `sha256:${createHash('sha256').update(String(email)).digest('hex').slice(0, 12)}`;
}

// ——— Redis ———

function truthy(reply: unknown): boolean {
  if (reply === null || reply === undefined) return false;
  if (typeof reply === 'number') return reply !== 0;
  if (typeof reply === 'string') return reply !== '' && reply !== '0';
  if (Array.isArray(reply)) return reply.length > 0;
  return true;
}

async function redisRead(ctx: StepContext, loop: Loop, source: RedisSource, commands: string[][], timeoutMs: number) {
  return withRetries(() => source.read(commands, timeoutMs), loop.recovery, ctx.retry);
}

async function redisDatabaseStep(
  ctx: StepContext,
  source: RedisSource,
  loop: Loop,
  step: Step,
  stepNo: number,
  timeoutMs: number,
  collector: StepCollector,
  emit: Emit,
) {
  const trigger = step.trigger as Extract<Step['trigger'], { type: 'database' }>;
  const prefix = trigger.table;
  const isUsers = isUsersTable(prefix);
  let rows = await withRetries(() => source.hashes(prefix, timeoutMs), loop.recovery, ctx.retry);
  if (ctx.since) {
    const since = ctx.since.getTime();
    rows = rows.filter((r) => {
      const created = r.fields.created_at ?? r.fields.createdAt;
      return created !== undefined && Date.parse(created) >= since;
    });
  }
  const command = step.condition?.type === 'redis' ? step.condition.command : undefined;
  const loopRow = loopContext(loop);
  const batchSize = ctx.batchSize ?? 1000;
  const atIso = ctx.at.toISOString();
  for (let i = 0; i < rows.length; i += batchSize) {
    const page = rows.slice(i, i + batchSize).map((r) => ({ key: r.id, row: { id: r.id, ...r.fields } as Row }));
    const users = new Map<string, Row>();
    if (!isUsers) {
      const ids = [...new Set(page.map((p) => p.row.user_id).filter((v): v is string => typeof v === 'string' && v !== ''))];
      const replies = await redisRead(ctx, loop, source, ids.map((id) => ['HGETALL', `${USERS_TABLE}:${id}`]), timeoutMs);
      ids.forEach((id, j) => {
        const reply = replies[j];
        if (Array.isArray(reply) && reply.length) {
          const fields: Row = { id };
          for (let f = 0; f + 1 < reply.length; f += 2) fields[String(reply[f])] = reply[f + 1];
          users.set(id, fields);
        }
      });
    }
    const contexts = page.map(({ key, row }) => {
      const user = isUsers ? row : users.get(String(row.user_id));
      return { key, row, user, context: { user: user ?? null, row, loop: loopRow, now: atIso } as TemplateContext };
    });
    // The condition for the whole page in one round trip.
    const commands: (string[] | undefined)[] = contexts.map(({ context }) => {
      if (!command) return undefined;
      const args = command.map((arg) => interpolate(arg, context));
      return args.some((a) => a.missing.length) ? undefined : args.map((a) => a.value);
    });
    const sent = commands.filter((c): c is string[] => c !== undefined);
    const replies = command ? await redisRead(ctx, loop, source, sent, timeoutMs) : [];
    const failed = replies.find((r) => r instanceof Error) as Error | undefined;
    if (failed) throw new StepFailure(`Redis: ${failed.message} (in ${command!.join(' ')})`, 'query');
    let r = 0;
    for (let j = 0; j < contexts.length; j++) {
      const { key, user, context } = contexts[j]!;
      collector.counts.events++;
      if (command) {
        if (!commands[j]) {
          const missing = command.flatMap((arg) => interpolate(arg, context).missing);
          collector.skip(`cannot evaluate the condition: ${missing.map((m) => `{{${m}}}`).join(', ')} has no value`, key);
          continue;
        }
        const reply = replies[r++];
        if (!truthy(reply)) {
          collector.skip(WAITING, key, true);
          continue;
        }
        context.match = { reply: reply as unknown };
      }
      if (!user) {
        collector.skip(`no user: ${prefix}:${key} has no user_id matching a ${USERS_TABLE}:<id> hash`, key);
        continue;
      }
      emit(context, key, atIso);
      if (collector.full) await collector.next();
    }
  }
}

async function redisScheduleStep(
  ctx: StepContext,
  source: RedisSource,
  loop: Loop,
  step: Step,
  stepNo: number,
  occurrences: Date[],
  timeoutMs: number,
  collector: StepCollector,
  emit: Emit,
) {
  const loopRow = loopContext(loop);
  const command = step.condition?.type === 'redis' ? step.condition.command : undefined;
  for (const occurrence of occurrences) {
    let users: Row[];
    if (!command) {
      users = (await withRetries(() => source.hashes(USERS_TABLE, timeoutMs), loop.recovery, ctx.retry)).map((h) => ({ id: h.id, ...h.fields }));
    } else {
      const args = command.map((arg) => interpolate(arg, { loop: loopRow, now: occurrence.toISOString() }).value);
      const [reply] = await redisRead(ctx, loop, source, [args], timeoutMs);
      if (reply instanceof Error) throw new StepFailure(`Redis: ${reply.message} (in ${command.join(' ')})`, 'query');
      // A schedule's command returns the recipients' ids (SMEMBERS, ZRANGEBYSCORE…): each is a users:<id> hash.
      const ids = (Array.isArray(reply) ? reply : reply === null ? [] : [reply]).map(String);
      const hashes = await redisRead(ctx, loop, source, ids.map((id) => ['HGETALL', `${USERS_TABLE}:${id}`]), timeoutMs);
      users = [];
      ids.forEach((id, j) => {
        const h = hashes[j];
        if (Array.isArray(h) && h.length) {
          const fields: Row = { id };
          for (let f = 0; f + 1 < h.length; f += 2) fields[String(h[f])] = h[f + 1];
          users.push(fields);
        } else collector.skip(`no user: ${USERS_TABLE}:${id} is not a hash`, id);
      });
    }
    await emitRecipients(users, occurrence, collector, emit, loopRow);
  }
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}
