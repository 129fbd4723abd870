import { createHash, hash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * Token format (DESIGN §4): ksk_<keyId>_<secret><checksum>
 *  - keyId: the key's id in the API, base62 (no underscore, so the token splits unambiguously)
 *  - secret: 24 base62 characters, ~142 random bits (at least 128 are required)
 *  - checksum: CRC32 of everything before it, 6 base62 characters, so typos and junk are refused
 *    before any database or bcrypt work, and secret scanners can recognise a real token.
 */
export const TOKEN_PREFIX = 'ksk_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_ID_LENGTH = 16;
const SECRET_LENGTH = 24;
const CHECKSUM_LENGTH = 6;
const MIN_SECRET_LENGTH = 22;
const TOKEN_SHAPE = /^ksk_([0-9A-Za-z]{1,64})_([0-9A-Za-z]+)$/;
const KEY_ID_SHAPE = /^[0-9A-Za-z]{1,64}$/;

/** Unbiased random base62: bytes at or above 248 (= 4 × 62) are discarded. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

function base62(value: number, width: number): string {
  let out = '';
  let n = value;
  while (n > 0) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out.padStart(width, '0');
}

function checksum(body: string): string {
  return base62(crc32(body), CHECKSUM_LENGTH);
}

export function newKeyId(): string {
  return randomBase62(KEY_ID_LENGTH);
}

export function isKeyId(value: string): boolean {
  return KEY_ID_SHAPE.test(value);
}

export interface IssuedToken {
  token: string;
  keyId: string;
  secret: string;
}

export function issueToken(keyId = newKeyId()): IssuedToken {
  const secret = randomBase62(SECRET_LENGTH);
  const body = `${TOKEN_PREFIX}${keyId}_${secret}`;
  return { token: body + checksum(body), keyId, secret };
}

export interface ParsedToken {
  keyId: string;
  secret: string;
}

/** Returns undefined for anything that is not a well-formed token with a valid checksum. */
export function parseToken(token: string): ParsedToken | undefined {
  const match = TOKEN_SHAPE.exec(token);
  if (!match) return undefined;
  const keyId = match[1]!;
  const rest = match[2]!;
  if (rest.length < MIN_SECRET_LENGTH + CHECKSUM_LENGTH) return undefined;
  const secret = rest.slice(0, -CHECKSUM_LENGTH);
  const body = `${TOKEN_PREFIX}${keyId}_${secret}`;
  if (checksum(body) !== rest.slice(-CHECKSUM_LENGTH)) return undefined;
  return { keyId, secret };
}

export function looksLikeKsk(token: string): boolean {
  return token.startsWith(TOKEN_PREFIX);
}

/** What lists show: enough to recognise a key, nothing that helps guess it. */
export function fragmentOf(token: string, keyId: string | undefined): string {
  const tail = token.slice(-4);
  return keyId ? `${TOKEN_PREFIX}${keyId}…${tail}` : `…${tail}`;
}

/**
 * Cache key for a verified token: a hash, so the cache never holds a usable secret. Every request
 * computes one, so the one-shot crypto.hash (no Hash object for the garbage collector) is used.
 */
export function tokenDigest(token: string): string {
  return hash('sha256', token, 'base64url');
}

/**
 * What bcrypt hashes for the bootstrap key (BOOTSTRAP_ADMIN_KEY, any string of 32+ characters):
 * its SHA-256, so every character counts (bcrypt reads at most 72 bytes).
 */
export function bootstrapSecret(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
