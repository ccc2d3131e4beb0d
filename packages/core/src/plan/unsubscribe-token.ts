/**
 * Unsubscribe tokens: what an unsubscribe link carries, `<url>/unsubscribe/<token>`. A token names
 * one recipient and a scope (one loop, or every loop) and must be
 * - deterministic: the plan renders the email the run sends, byte for byte, link included;
 * - unforgeable: only the holder of SKENE_UNSUBSCRIBE_SECRET can make one that verifies, and any
 *   altered byte is refused (so nobody unsubscribes someone else by editing a link);
 * - opaque: the address is not in clear in a link that mail servers, proxies and logs see.
 * So it is AES-256-GCM with a synthetic IV (SIV, as RFC 5297 builds it): the IV is an HMAC of the
 * plaintext, which makes encryption deterministic without ever reusing an IV for two different
 * plaintexts, and GCM's tag authenticates every byte. Both keys are derived (HKDF-SHA256) from
 * the one secret. Equal (address, scope) pairs give equal tokens; that is the determinism asked.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { normalizeAddress } from './recipient-state.js';

/** Every loop: the scope of an "unsubscribe from all" link (loop ids cannot hold `*`). */
export const ALL_LOOPS = '*';

/** A secret shorter than this is refused: a guessable key would make tokens forgeable. */
export const MIN_SECRET_LENGTH = 16;

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface UnsubscribeScope {
  /** Normalised (normalizeAddress). */
  address: string;
  /** A loop id, or ALL_LOOPS. */
  scope: string;
}

interface Keys {
  enc: Buffer;
  siv: Buffer;
}

const derived = new Map<string, Keys>();

function keysOf(secret: string): Keys {
  let keys = derived.get(secret);
  if (!keys) {
    const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, 'skene-unsubscribe-v1', info, 32));
    keys = { enc: derive('aes-256-gcm'), siv: derive('synthetic-iv') };
    derived.set(secret, keys);
  }
  return keys;
}

/** `scope`, a newline, the address: a loop id holds no newline, so the split is unambiguous. */
function plaintextOf({ address, scope }: UnsubscribeScope): Buffer {
  return Buffer.from(`${scope}\n${normalizeAddress(address)}`, 'utf8');
}

function ivOf(keys: Keys, plaintext: Buffer): Buffer {
  return createHmac('sha256', keys.siv).update(plaintext).digest().subarray(0, IV_BYTES);
}

/** The token for a recipient and a scope; the same inputs give the same token. */
export function createUnsubscribeToken(secret: string, subject: UnsubscribeScope): string {
  const keys = keysOf(secret);
  const plaintext = plaintextOf(subject);
  const iv = ivOf(keys, plaintext);
  const cipher = createCipheriv('aes-256-gcm', keys.enc, iv);
  const version = Buffer.from([VERSION]);
  cipher.setAAD(version);
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([version, iv, sealed, cipher.getAuthTag()]).toString('base64url');
}

/** What a token names, or undefined when it was not made with this secret or was altered. */
export function verifyUnsubscribeToken(secret: string, token: string): UnsubscribeScope | undefined {
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64url');
  // base64url has several spellings of the last bits: only the canonical one is the token.
  if (bytes.toString('base64url') !== token) return undefined;
  if (bytes.length < 1 + IV_BYTES + TAG_BYTES + 3 || bytes[0] !== VERSION) return undefined;
  const keys = keysOf(secret);
  const iv = bytes.subarray(1, 1 + IV_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.enc, iv);
    decipher.setAAD(bytes.subarray(0, 1));
    decipher.setAuthTag(tag);
    plaintext = Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
  // The IV must be the one this plaintext gives: only tokens this module made are accepted.
  if (!timingSafeEqual(ivOf(keys, plaintext), iv)) return undefined;
  const text = plaintext.toString('utf8');
  const newline = text.indexOf('\n');
  if (newline < 1) return undefined;
  return { scope: text.slice(0, newline), address: text.slice(newline + 1) };
}
