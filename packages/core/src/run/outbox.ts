/**
 * Where emails go when there is no Resend key: one JSON file per email in a folder the runner
 * prints, so a newcomer sees exactly what would have been sent and nothing vanishes. It keeps
 * Resend's idempotency promise: the same key again writes nothing and answers as the first time,
 * another payload under that key is refused. Files appear whole (written aside, then linked into
 * place) so a crash or a second worker never leaves half an email or two copies.
 */
import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SendOutcome } from './classify.js';

export interface OutboxEmail {
  from: string;
  to: string | string[];
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string>;
}

export const DEFAULT_OUTBOX_DIR = '.skene/outbox';

/**
 * A file name for a key: readable (the key's safe characters) and unique (a hash of the whole key),
 * because keys like `loop/step/user@…` hold slashes and two keys may share a readable form.
 */
export function outboxFileName(key: string): string {
  const readable = key
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 80);
  const hash = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 12);
  return `${readable ? `${readable}-` : ''}${hash}.json`;
}

const outboxId = (key: string) => `outbox:${outboxFileName(key).slice(0, -'.json'.length)}`;

/** JSON with sorted keys: the same email compares equal whatever order its fields were built in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Creates `file` with `text` unless it exists; true when this call created it. */
async function createOnce(file: string, text: string): Promise<boolean> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, text, 'utf8');
  try {
    // link() fails when the name is taken, so of two concurrent writers exactly one wins.
    await link(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
    // A file system without hard links: rename is still atomic, only the "exists" check races.
    await rename(temp, file);
    return true;
  } finally {
    await unlink(temp).catch(() => {});
  }
}

export interface Outbox {
  dir: string;
  /** Writes each email under `keys[i]`; one outcome for the lot, as a Resend batch answers. */
  deliver(emails: OutboxEmail[], keys: string[]): Promise<SendOutcome>;
}

export function createOutbox(dir: string = DEFAULT_OUTBOX_DIR): Outbox {
  const root = resolve(dir);
  return {
    dir: root,
    async deliver(emails, keys) {
      try {
        await mkdir(root, { recursive: true });
        const files = keys.map((key) => join(root, outboxFileName(key)));
        // Check every existing file first, so a batch with one conflicting email writes none of them.
        for (const [i, file] of files.entries()) {
          const existing = await readFile(file, 'utf8').then(
            (text) => JSON.parse(text) as { email: unknown },
            () => undefined,
          );
          if (existing && canonical(existing.email) !== canonical(emails[i])) {
            return { kind: 'failed', code: 'invalid_idempotent_request', reason: `outbox: key ${keys[i]} was already used for another email` };
          }
        }
        for (const [i, file] of files.entries()) {
          const record = { id: outboxId(keys[i]), idempotencyKey: keys[i], email: emails[i] };
          await createOnce(file, `${JSON.stringify(record, null, 2)}\n`);
        }
        return { kind: 'sent', ids: keys.map(outboxId), outbox: root, files };
      } catch (error) {
        // A full disk or a read-only folder: nothing was delivered, and an operator has to act.
        return { kind: 'halt', code: 'outbox_error', reason: `outbox ${root}: ${(error as Error).message}` };
      }
    },
  };
}
