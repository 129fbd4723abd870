import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Db, Queryable } from '../db/db.js';
import { tag, type UnitOfWork } from '../db/unit-of-work.js';
import {
  currentSigningKey,
  deleteSigningKeysRetiredBefore,
  insertSigningKey,
  lockSigningKeys,
  publishedSigningKeys,
  retireCurrentSigningKey,
} from './signing-keys-store.js';
import { tokenErrors } from './tokens-errors.js';
import {
  RETIRED_KEY_PUBLISHED_MS,
  SIGNING_ALG,
  SIGNING_KEY_MAX_AGE_MS,
  type PublicJwk,
  type SigningKeyRow,
} from './tokens.js';

/** How long a process trusts what it read: the fallback when a change notification is missed. */
const REFRESH_MS = 5_000;
/** An unknown kid reloads the keys at most this often (a forged kid must not become a query storm). */
const UNKNOWN_KID_RELOAD_MS = 1_000;
const SEALED_PREFIX = 'v1.';

type SigningKey = CryptoKey;

interface LoadedKey {
  row: SigningKeyRow;
  publicKey: SigningKey;
}

export interface SigningKeysDeps {
  db: Db;
  unitOfWork: UnitOfWork;
  now: () => Date;
  /** SIGNING_KEY_SECRET: seals the private keys at rest; without it they are stored as plain JSON. */
  secret: string | undefined;
}

/**
 * The keys keyscope signs its tokens with, shared by every process through the database. Each
 * process holds what it last read; a rotation announces itself with the change tag `tag.signingKeys()`
 * (every process reloads at once) and nothing is trusted for more than REFRESH_MS, so a new public
 * key is published everywhere within seconds even if a notification is lost. The first key is
 * created on first need, and a key older than 30 days is replaced, under an advisory lock so
 * concurrent processes create exactly one.
 */
export class SigningKeys {
  private keys: LoadedKey[] = [];
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading?: Promise<void>;
  private privateKeys = new Map<string, SigningKey>();

  constructor(private readonly deps: SigningKeysDeps) {}

  /** A change notification named the signing keys (or everything): read them again on next use. */
  changed(): void {
    this.loadedAt = Number.NEGATIVE_INFINITY;
  }

  /** What a unit of work announced (here or on another process): reload on ours, or when changes may be lost. */
  hear(tags: string[]): void {
    if (tags.some((t) => t === '*' || t === tag.signingKeys())) this.changed();
  }

  /** The public keys to publish and verify with: the current key and those retired less than 15 minutes ago. */
  async published(): Promise<{ kid: string; jwk: PublicJwk; publicKey: SigningKey }[]> {
    await this.fresh();
    return this.keys.map((k) => ({ kid: k.row.kid, jwk: k.row.public_jwk, publicKey: k.publicKey }));
  }

  /** The public key a token names, reloading once if it is new to this process. */
  async publicKey(kid: string): Promise<SigningKey | undefined> {
    await this.fresh();
    let found = this.keys.find((k) => k.row.kid === kid);
    if (!found && this.clock() - this.loadedAt > UNKNOWN_KID_RELOAD_MS) {
      await this.reload();
      found = this.keys.find((k) => k.row.kid === kid);
    }
    return found?.publicKey;
  }

  /** The key to sign with now; creates the first one, or replaces one older than 30 days. */
  async current(): Promise<{ kid: string; privateKey: SigningKey }> {
    await this.fresh();
    let row = this.keys.find((k) => k.row.retired_at === null)?.row;
    if (!row || this.clock() - row.created_at.getTime() > SIGNING_KEY_MAX_AGE_MS) {
      await this.deps.unitOfWork.write(async (tx, changed) => {
        await lockSigningKeys(tx);
        const current = await currentSigningKey(tx);
        // Another process may have created or rotated it while this one waited for the lock.
        if (current && this.clock() - current.created_at.getTime() <= SIGNING_KEY_MAX_AGE_MS) return;
        await this.replace(tx, current);
        changed(tag.signingKeys());
      });
      await this.reload();
      row = this.keys.find((k) => k.row.retired_at === null)?.row;
      if (!row) throw new Error('no current signing key after creating one');
    }
    let privateKey = this.privateKeys.get(row.kid);
    if (!privateKey) {
      privateKey = (await importJWK(JSON.parse(this.unseal(row)) as JWK, SIGNING_ALG)) as SigningKey;
      this.privateKeys.set(row.kid, privateKey);
    }
    return { kid: row.kid, privateKey };
  }

  /** A new current key now; the old one stays published until its tokens have expired. */
  async rotate(tx: Queryable): Promise<{ kid: string; retired: string | null }> {
    await lockSigningKeys(tx);
    return this.replace(tx, await currentSigningKey(tx));
  }

  private async replace(
    tx: Queryable,
    current: SigningKeyRow | undefined,
  ): Promise<{ kid: string; retired: string | null }> {
    const now = this.deps.now();
    const retired = current ? ((await retireCurrentSigningKey(tx, now)) ?? null) : null;
    await deleteSigningKeysRetiredBefore(tx, new Date(now.getTime() - 24 * 3600 * 1000));
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const jwk: PublicJwk = {
      kty: String(publicJwk.kty),
      crv: publicJwk.crv,
      x: publicJwk.x,
      y: publicJwk.y,
      kid,
      alg: SIGNING_ALG,
      use: 'sig',
    };
    const privateJson = JSON.stringify(await exportJWK(privateKey));
    await insertSigningKey(tx, {
      kid,
      alg: SIGNING_ALG,
      publicJwk: jwk,
      privateJwk: seal(privateJson, kid, this.deps.secret),
      createdAt: now,
    });
    return { kid, retired };
  }

  private clock(): number {
    return this.deps.now().getTime();
  }

  private async fresh(): Promise<void> {
    if (this.clock() - this.loadedAt <= REFRESH_MS) return;
    await this.reload();
  }

  /** One read at a time; concurrent callers share it. */
  private reload(): Promise<void> {
    this.loading ??= this.read().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async read(): Promise<void> {
    const startedAt = this.clock();
    const rows = await publishedSigningKeys(this.deps.db, new Date(startedAt - RETIRED_KEY_PUBLISHED_MS));
    const known = new Map(this.keys.map((k) => [k.row.kid, k.publicKey]));
    const keys: LoadedKey[] = [];
    for (const row of rows) {
      const publicKey = known.get(row.kid) ?? ((await importJWK(row.public_jwk as JWK, SIGNING_ALG)) as SigningKey);
      keys.push({ row, publicKey });
    }
    this.keys = keys;
    for (const kid of this.privateKeys.keys()) if (!rows.some((r) => r.kid === kid)) this.privateKeys.delete(kid);
    this.loadedAt = startedAt;
  }

  private unseal(row: SigningKeyRow): string {
    if (!row.private_jwk.startsWith(SEALED_PREFIX)) return row.private_jwk;
    if (!this.deps.secret)
      throw tokenErrors.signingKeyUnavailable('the private key is encrypted and SIGNING_KEY_SECRET is not set');
    try {
      return open(row.private_jwk, row.kid, this.deps.secret);
    } catch {
      throw tokenErrors.signingKeyUnavailable('SIGNING_KEY_SECRET does not open the private key (was it changed?)');
    }
  }
}

/** AES-256-GCM under a key derived from SIGNING_KEY_SECRET; the kid is authenticated with it, so a sealed key cannot be moved to another row. */
function seal(plain: string, kid: string, secret: string | undefined): string {
  return sealWith(plain, kid, secret, 'signing-keys/v1');
}

function open(sealed: string, kid: string, secret: string): string {
  return openWith(sealed, kid, secret, 'signing-keys/v1');
}

/**
 * The same sealing for other secrets keyscope keeps (an identity provider's client secret): a key
 * derived from SIGNING_KEY_SECRET for `purpose` alone, `aad` authenticated with the value. Without
 * the secret the value is kept as given (docs/security.md).
 */
export function sealWith(plain: string, aad: string, secret: string | undefined, purpose: string): string {
  if (!secret) return plain;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derive(secret, purpose), iv);
  cipher.setAAD(Buffer.from(aad));
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${SEALED_PREFIX}${[iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.')}`;
}

/** Opens what sealWith sealed (a value without the sealed prefix was stored plain); throws if it cannot. */
export function openWith(sealed: string, aad: string, secret: string | undefined, purpose: string): string {
  if (!sealed.startsWith(SEALED_PREFIX)) return sealed;
  if (!secret) throw new Error('sealed under SIGNING_KEY_SECRET, which is not set');
  const [iv, authTag, data] = sealed
    .slice(SEALED_PREFIX.length)
    .split('.')
    .map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !authTag || !data) throw new Error('malformed sealed value');
  const decipher = createDecipheriv('aes-256-gcm', derive(secret, purpose), iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(authTag);
  return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
}

function derive(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'keyscope', purpose, 32));
}
