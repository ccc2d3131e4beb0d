/** What schedule triggers share: recipients in a stable order, and a Redis hash as a row. */
import { createHash } from 'node:crypto';
import { peopleOf, type People } from '../../analysis/people.js';
import type { Row } from '../../sources/types.js';
import { loopContext, type StepRun } from '../step-run.js';
import { sortByKey } from '../values.js';

/** Schedule recipients in a stable order (by the person's key, else address), so every source lists them alike. */
export async function emitRecipients(run: StepRun, rows: Row[], occurrence: Date): Promise<void> {
  const { collector, emit } = run;
  const loopRow = loopContext(run.loop);
  const people = peopleOf(run.ctx.config.users);
  const keys = rows.map((row) => recipientKey(row, people));
  const iso = occurrence.toISOString();
  for (const i of sortByKey(
    rows.map((_, i) => i),
    (i) => keys[i]!,
  )) {
    const user = rows[i]!;
    collector.counts.events++;
    emit({ user, match: user, loop: loopRow, now: iso }, keys[i]!, iso, iso);
    if (collector.full) await collector.next();
  }
}

function recipientKey(user: Row, people: People): string {
  const id = (people.key === undefined ? undefined : user[people.key]) ?? user.id ?? user.user_id;
  if (id !== null && id !== undefined && id !== '') return String(id);
  const email = user[people.email] ?? JSON.stringify(user);
  return `sha256:${createHash('sha256').update(String(email)).digest('hex').slice(0, 12)}`;
}

// ——— Redis ———

/** An `HGETALL` reply as a row (`id` first), or undefined when the hash does not exist. */
export function hashRow(id: string, reply: unknown): Row | undefined {
  if (!Array.isArray(reply) || reply.length === 0) return undefined;
  const row: Row = { id };
  for (let f = 0; f + 1 < reply.length; f += 2) row[String(reply[f])] = reply[f + 1];
  return row;
}
