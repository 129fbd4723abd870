import bcrypt from 'bcrypt';
import type { Db } from '../db/db.js';
import type { AuthFailureCode, AuthResult } from '../principals/auth-result.js';
import { keysForAuthentication } from '../keys/keys-service.js';
import { bootstrapSecret, looksLikeKsk, parseToken, tokenDigest } from '../principals/token.js';
import type { FailureLimiter } from './failure-limiter.js';
import type { LastUsedRecorder } from './last-used.js';
import type { PrincipalCache } from './principal-cache.js';
import { principalStatus, type Principal } from '../principals/principal.js';
import { intersect, narrow } from '../principals/permissions.js';
import { looksLikeJwt, type VerifyOptions } from '../tokens/tokens-service.js';
import type { KeyscopeClaims } from '../tokens/tokens.js';
import { resolvePrincipal, resolveUserSubject, type Resolved, type UserSubject } from './resolver.js';
import type { VerifiedTokens } from './verified-tokens.js';
import type { IdpVocabulary } from '../principals/idp-grant.js';

export const MESSAGES: Record<Exclude<AuthFailureCode, 'too_many_attempts'>, string> = {
  invalid_token: 'The API key is missing, malformed or unknown',
  key_revoked: 'This API key was revoked',
  key_expired: 'This API key has expired',
  owner_inactive: "This personal key's owner is deactivated or no longer exists",
  owner_left_group: "This personal key's owner is no longer a member of the key's group",
  group_deleted: "This key's group was deleted",
  idp_signal: "This personal key is suspended: the identity provider signalled that its owner's access must stop",
  idp_logout: 'This personal key is suspended: the identity provider logged its owner out (Universal Logout)',
  session_expired: 'The sign-in session has expired; sign in again',
  session_ended: 'The sign-in session has ended; sign in again',
};

// A bootstrap value is at least 32 characters (BOOTSTRAP_ADMIN_KEY); anything shorter costs no bcrypt.
const MIN_BOOTSTRAP_LENGTH = 32;
const MAX_TOKEN_LENGTH = 512;

export interface AuthenticatorDeps {
  db: Db;
  cache: PrincipalCache;
  verified: VerifiedTokens;
  limiter: FailureLimiter;
  lastUsed: LastUsedRecorder;
  now: () => Date;
  onFailure?: (code: AuthFailureCode) => void;
  /** keyscope's own signed tokens (tokens/): verified here, then resolved against their key and user. */
  signedTokens?: SignedTokenVerifier;
  /** The users impersonation tokens act for, evicted like principals. */
  subjects?: PrincipalCache<UserSubject>;
  /** The roles and permissions the identity provider's roles and entitlements may name (idpRoles policy). */
  vocabulary: IdpVocabulary;
}

export interface SignedTokenVerifier {
  verify(token: string, options: VerifyOptions): Promise<KeyscopeClaims | undefined>;
}

export interface AuthenticateOptions {
  recordUse?: boolean;
  /** Accept keyscope's own JWTs (only /me, /authorize and introspection do). */
  signedTokens?: VerifyOptions;
}

type Verification = { ok: true; keyId: string } | { ok: false; blockedMs?: number };

/**
 * Token → principal (DESIGN §5): checksum → verified-token cache (SHA-256 of the token) → on a miss
 * load the key and bcrypt.compare once → principal cache → on a miss resolve from the database.
 * No request pays bcrypt for a token this process has verified, and concurrent requests with the
 * same new token share one bcrypt.compare.
 */
export class Authenticator {
  private readonly pendingVerifications = new Map<string, Promise<Verification>>();
  private readonly pendingResolutions = new Map<string, { epoch: number; promise: Promise<Resolved | undefined> }>();
  /** bcrypt comparisons made so far (metrics, and tests proving each token pays it once). */
  bcryptComparisons = 0;

  constructor(private readonly deps: AuthenticatorDeps) {}

  /**
   * The hot path, synchronous: a token this process has verified and a principal it has cached.
   * Undefined when anything must come from the database (then call authenticate).
   */
  authenticateCached(authorization: string | undefined, options: { recordUse?: boolean } = {}): AuthResult | undefined {
    const principal = this.cachedPrincipal(authorization);
    return principal && this.judge(principal, options);
  }

  /** The principal of a token this process has verified and still holds resolved, judged or not. */
  private cachedPrincipal(authorization: string | undefined): Principal | undefined {
    const token = bearerToken(authorization);
    if (!token) return undefined;
    const keyId = this.deps.verified.get(tokenDigest(token));
    return keyId === undefined ? undefined : this.deps.cache.get(keyId);
  }

  /**
   * The principal of a key this process knows and accepts now (its use recorded), else undefined with
   * nothing counted: then authenticate() or authenticateCached() gives the answer, counted once.
   */
  acceptedCached(authorization: string | undefined): Principal | undefined {
    const principal = this.cachedPrincipal(authorization);
    if (!principal) return undefined;
    const now = this.deps.now();
    const { status } = principalStatus(principal, now);
    if (status !== 'active' && status !== 'expiring_soon') return undefined;
    this.deps.lastUsed.record(principal.orgId, principal.keyId, now.getTime());
    return principal;
  }

  async authenticate(
    authorization: string | undefined,
    clientAddress: string,
    options: AuthenticateOptions = {},
  ): Promise<AuthResult> {
    const token = bearerToken(authorization);
    if (!token) return this.fail('invalid_token');
    // A JWT is never a key: checked as a signed token where those are accepted, refused elsewhere at no cost.
    if (looksLikeJwt(token))
      return options.signedTokens
        ? this.authenticateSigned(token, options.signedTokens, options)
        : this.fail('invalid_token');
    const digest = tokenDigest(token);

    let keyId = this.deps.verified.get(digest);
    if (keyId === undefined) {
      const verification = await this.verifyOnce(token, digest, clientAddress);
      if (!verification.ok)
        return verification.blockedMs ? this.tooMany(verification.blockedMs) : this.fail('invalid_token');
      keyId = verification.keyId;
    }

    const principal = await this.principalFor(keyId);
    if (!principal) {
      this.deps.verified.forgetKey(keyId);
      return this.fail('invalid_token');
    }
    return this.judge(principal, options);
  }

  /** Whether a resolved key may be used now: revoked, expired and suspended keys are refused with their reason. */
  private judge(principal: Principal, options: { recordUse?: boolean }): AuthResult {
    const now = this.deps.now();
    const { status, reason } = principalStatus(principal, now);
    if (status === 'revoked') return this.fail('key_revoked');
    if (status === 'expired') return this.fail('key_expired');
    if (status === 'suspended' && reason) return this.fail(reason);
    if (options.recordUse !== false) this.deps.lastUsed.record(principal.orgId, principal.keyId, now.getTime());
    return { ok: true, principal };
  }

  /**
   * A keyscope JWT: its signature and claims (tokens/), then its key, resolved and judged like the key
   * itself (cached, evicted on change), then for impersonation the user, resolved like a personal key
   * of theirs; the grant is what both hold, narrowed to the token's scope. A revoked key or a
   * deactivated user ends the token as soon as the change reaches this process.
   */
  private async authenticateSigned(
    token: string,
    verify: VerifyOptions,
    options: AuthenticateOptions,
  ): Promise<AuthResult> {
    const claims = await this.deps.signedTokens?.verify(token, verify);
    if (!claims) return this.fail('invalid_token');
    const key = await this.principalFor(claims.key_id);
    if (!key || key.orgId !== claims.org) return this.fail('invalid_token');
    const judged = this.judge(key, options);
    if (!judged.ok) return judged;
    let base = key.grant;
    let owner = { id: key.ownerUserId, name: key.ownerUserName };
    if (claims.act) {
      if (!key.impersonation || claims.act.sub !== `key:${key.keyId}`) return this.fail('invalid_token');
      const subject = await this.subjectFor(key.orgId, claims.sub);
      if (!subject?.active) return this.fail('owner_inactive');
      base = intersect(key.grant, subject.grant);
      owner = { id: subject.userId, name: subject.userName };
    }
    const { iss, sub, aud, iat, exp, jti, scope, act } = claims;
    return {
      ok: true,
      principal: {
        ...key,
        grant: narrow(base, scope.split(' ').filter(Boolean)),
        // The key's conditional rules were judged for its owner, not for a user it acts for.
        conditions: claims.act ? undefined : key.conditions,
        ownerUserId: owner.id,
        ownerUserName: owner.name,
        signedToken: { iss, sub, aud, iat, exp, jti, scope, ...(act ? { act } : {}) },
      },
    };
  }

  private async subjectFor(orgId: string, userId: string): Promise<UserSubject | undefined> {
    const cache = this.deps.subjects;
    const cacheKey = `${orgId}/${userId}`;
    const cached = cache?.get(cacheKey);
    if (cached) return cached;
    const epoch = cache?.epoch ?? 0;
    const resolved = await resolveUserSubject(this.deps.db, orgId, userId, this.deps.vocabulary);
    if (resolved) cache?.set(cacheKey, resolved.subject, resolved.tags, epoch);
    return resolved?.subject;
  }

  /** One verification per token at a time; concurrent requests with the same token share it. */
  private verifyOnce(token: string, digest: string, clientAddress: string): Promise<Verification> {
    const pending = this.pendingVerifications.get(digest);
    if (pending) return pending;
    const addressKey = `ip:${clientAddress}`;
    const blockedMs = this.deps.limiter.begin(addressKey);
    if (blockedMs) return Promise.resolve({ ok: false, blockedMs });
    const promise = this.verify(token, digest)
      .then(
        (verification) => {
          this.deps.limiter.end(addressKey, !verification.ok && !verification.blockedMs);
          return verification;
        },
        (error: unknown) => {
          this.deps.limiter.end(addressKey, false);
          throw error;
        },
      )
      .finally(() => this.pendingVerifications.delete(digest));
    this.pendingVerifications.set(digest, promise);
    return promise;
  }

  private async verify(token: string, digest: string): Promise<Verification> {
    const now = this.deps.now();
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false };
    if (looksLikeKsk(token)) {
      const parsed = parseToken(token);
      if (!parsed) return { ok: false };
      const row = await keysForAuthentication.find(this.deps.db, parsed.keyId, now);
      if (!row) return { ok: false };
      const keyKey = `key:${row.id}`;
      const blockedMs = this.deps.limiter.begin(keyKey);
      if (blockedMs) return { ok: false, blockedMs };
      this.bcryptComparisons++;
      let matches = false;
      try {
        matches = await bcrypt.compare(parsed.secret, row.secret_hash);
      } finally {
        this.deps.limiter.end(keyKey, !matches);
      }
      if (!matches) return { ok: false };
      this.deps.verified.add(digest, row.id);
      return { ok: true, keyId: row.id };
    }
    // The bootstrap key is the one token not in ksk_ form: check it against its hash only.
    if (token.length < MIN_BOOTSTRAP_LENGTH) return { ok: false };
    for (const row of await keysForAuthentication.bootstrapKeys(this.deps.db, now)) {
      this.bcryptComparisons++;
      if (await bcrypt.compare(bootstrapSecret(token), row.secret_hash)) {
        this.deps.verified.add(digest, row.id);
        return { ok: true, keyId: row.id };
      }
    }
    return { ok: false };
  }

  private async principalFor(keyId: string): Promise<Principal | undefined> {
    const cached = this.deps.cache.get(keyId);
    if (cached) return cached;
    const epoch = this.deps.cache.epoch;
    const pending = this.pendingResolutions.get(keyId);
    // Join a resolution only if nothing changed since it started; otherwise it may predate the change.
    if (pending && pending.epoch === epoch) return (await pending.promise)?.principal;
    const promise = this.resolve(keyId, epoch).finally(() => {
      if (this.pendingResolutions.get(keyId)?.promise === promise) this.pendingResolutions.delete(keyId);
    });
    this.pendingResolutions.set(keyId, { epoch, promise });
    return (await promise)?.principal;
  }

  /** Reads the key again even right after verifying it: the read must start inside `epoch`. */
  private async resolve(keyId: string, epoch: number): Promise<Resolved | undefined> {
    const row = await keysForAuthentication.find(this.deps.db, keyId, this.deps.now());
    if (!row) return undefined;
    const resolved = await resolvePrincipal(this.deps.db, row, this.deps.vocabulary);
    this.deps.cache.set(keyId, resolved.principal, resolved.tags, epoch);
    return resolved;
  }

  private fail(code: Exclude<AuthFailureCode, 'too_many_attempts'>): AuthResult {
    this.deps.onFailure?.(code);
    return { ok: false, status: 401, code, message: MESSAGES[code] };
  }

  private tooMany(blockedMs: number): AuthResult {
    this.deps.onFailure?.('too_many_attempts');
    const retryAfterSeconds = Math.max(1, Math.ceil(blockedMs / 1000));
    return {
      ok: false,
      status: 429,
      code: 'too_many_attempts',
      message: 'Too many failed authentications; try again later',
      retryAfterSeconds,
    };
  }
}

/** RFC 6750 §2.1: `Authorization: Bearer <token>`, scheme case-insensitive. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return match?.[1];
}
