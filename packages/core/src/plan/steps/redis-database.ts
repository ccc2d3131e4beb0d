/**
 * A database trigger on Redis: a "table" is a key prefix of hashes (`users:<id>`); every hash is
 * one event. The condition (a read command, `{{}}`-filled per event) runs for a page of events in
 * one round trip; a truthy reply means the condition holds. A hash has no declared foreign keys:
 * its person (analysis/people.ts) is the hash itself (the people prefix, or a hash with the email
 * field), or the people hash its `user_id` (`member_id`, …) field names.
 */
import { needsPerson, noPersonReason, peopleOf, personRoute, personTexts, type PersonRoute } from '../../analysis/people.js';
import { interpolate, type TemplateContext } from '../../email/index.js';
import type { RedisSource, Row } from '../../sources/types.js';
import { WAITING } from '../options.js';
import { withRetries } from '../retry.js';
import { loopContext, redisRead, StepFailure, type Step, type StepRun } from '../step-run.js';
import { hashRow } from './recipients.js';

export async function redisDatabaseStep(run: StepRun, source: RedisSource): Promise<void> {
  const { ctx, loop, step, timeoutMs, collector, emit } = run;
  const trigger = step.trigger as Extract<Step['trigger'], { type: 'database' }>;
  const prefix = trigger.table;
  const people = peopleOf(ctx.config.users);
  const routeOf = (row: Row): PersonRoute => personRoute(people, { ref: { name: prefix }, columns: Object.keys(row) });
  let rows = await withRetries(() => source.hashes(prefix, timeoutMs), loop.recovery, ctx.retry);
  if (ctx.since) {
    const since = ctx.since.getTime();
    rows = rows.filter((r) => {
      const created = r.fields.created_at ?? r.fields.createdAt;
      return created !== undefined && Date.parse(created) >= since;
    });
  }
  if (ctx.keys) {
    const keys = new Set(ctx.keys.map(String));
    rows = rows.filter((r) => keys.has(r.id));
  }
  const command = step.condition?.type === 'redis' ? step.condition.command : undefined;
  const needsUser = needsPerson(personTexts(step.action, command));
  const loopRow = loopContext(loop);
  const batchSize = ctx.batchSize ?? 1000;
  const atIso = ctx.at.toISOString();
  for (let i = 0; i < rows.length; i += batchSize) {
    const page = rows.slice(i, i + batchSize).map((r) => ({ key: r.id, row: { id: r.id, ...r.fields } as Row }));
    const users = new Map<string, Row>();
    const routes = page.map((p) => routeOf(p.row));
    const idOf = (row: Row, route: PersonRoute) => (route.kind === 'lookup' ? row[route.column] : undefined);
    const ids = [...new Set(page.map((p, j) => idOf(p.row, routes[j]!)).filter((v): v is string => typeof v === 'string' && v !== ''))];
    if (ids.length) {
      const replies = await redisRead(
        run,
        source,
        ids.map((id) => ['HGETALL', `${people.table}:${id}`]),
      );
      ids.forEach((id, j) => {
        const user = hashRow(id, replies[j]);
        if (user) users.set(id, user);
      });
    }
    const contexts = page.map(({ key, row }, j) => {
      const route = routes[j]!;
      const user = route.kind === 'row' ? row : route.kind === 'lookup' ? users.get(String(row[route.column])) : undefined;
      return { key, row, route, user, context: { user: user ?? null, row, loop: loopRow, now: atIso } as TemplateContext };
    });
    // The condition for the whole page in one round trip.
    const commands: (string[] | undefined)[] = contexts.map(({ context }) => {
      if (!command) return undefined;
      const args = command.map((arg) => interpolate(arg, context));
      return args.some((a) => a.missing.length) ? undefined : args.map((a) => a.value);
    });
    const sent = commands.filter((c): c is string[] => c !== undefined);
    const replies = command ? await redisRead(run, source, sent) : [];
    const failed = replies.find((r) => r instanceof Error) as Error | undefined;
    if (failed) throw new StepFailure(`Redis: ${failed.message} (in ${command!.join(' ')})`, 'query');
    let r = 0;
    for (let j = 0; j < contexts.length; j++) {
      const { key, route, user, context } = contexts[j]!;
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
      if (!user && needsUser) {
        collector.skip(
          route.kind === 'lookup'
            ? `no user: ${prefix}:${key}'s ${route.column} matches no ${people.table}:<id> hash`
            : `no user: ${noPersonReason(people, prefix)}`,
          key,
        );
        continue;
      }
      emit(context, key, atIso);
      if (collector.full) await collector.next();
    }
  }
}

export function truthy(reply: unknown): boolean {
  if (reply === null || reply === undefined) return false;
  if (typeof reply === 'number') return reply !== 0;
  if (typeof reply === 'string') return reply !== '' && reply !== '0';
  if (Array.isArray(reply)) return reply.length > 0;
  return true;
}
