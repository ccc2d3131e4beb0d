/**
 * A schedule trigger on Redis: at each occurrence, the condition's command returns the
 * recipients' ids (SMEMBERS, ZRANGEBYSCORE…), each a `users:<id>` hash (the people table's prefix,
 * `users` unless `defineConfig({ users: { table } })` names another); no condition: every person.
 */
import { peopleOf } from '../../analysis/people.js';
import { interpolate } from '../../email/index.js';
import type { RedisSource, Row } from '../../sources/types.js';
import { withRetries } from '../retry.js';
import { loopContext, redisRead, StepFailure, type StepRun } from '../step-run.js';
import { emitRecipients, hashRow } from './recipients.js';

export async function redisScheduleStep(run: StepRun, source: RedisSource): Promise<void> {
  const { ctx, loop, step, timeoutMs, collector } = run;
  const loopRow = loopContext(loop);
  const command = step.condition?.type === 'redis' ? step.condition.command : undefined;
  const prefix = peopleOf(ctx.config.users).table;
  for (const occurrence of run.occurrences) {
    let users: Row[];
    if (!command) {
      users = (await withRetries(() => source.hashes(prefix, timeoutMs), loop.recovery, ctx.retry)).map((h) => ({ id: h.id, ...h.fields }));
    } else {
      const args = command.map((arg) => interpolate(arg, { loop: loopRow, now: occurrence.toISOString() }).value);
      const [reply] = await redisRead(run, source, [args]);
      if (reply instanceof Error) throw new StepFailure(`Redis: ${reply.message} (in ${command.join(' ')})`, 'query');
      // A schedule's command returns the recipients' ids (SMEMBERS, ZRANGEBYSCORE…): each is a <prefix>:<id> hash.
      const ids = (Array.isArray(reply) ? reply : reply === null ? [] : [reply]).map(String);
      const hashes = await redisRead(
        run,
        source,
        ids.map((id) => ['HGETALL', `${prefix}:${id}`]),
      );
      users = [];
      ids.forEach((id, j) => {
        const user = hashRow(id, hashes[j]);
        if (user) users.push(user);
        else collector.skip(`no user: ${prefix}:${id} is not a hash`, id);
      });
    }
    await emitRecipients(run, users, occurrence);
  }
}
