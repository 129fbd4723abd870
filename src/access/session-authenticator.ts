import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import { tag } from '../db/unit-of-work.js';
import { organizationName } from '../orgs/orgs-service.js';
import type { IdpVocabulary } from '../principals/idp-grant.js';
import type { AuthFailureCode, AuthResult } from '../principals/auth-result.js';
import type { Principal } from '../principals/principal.js';
import { csrfTokenOf, looksLikeSessionSecret, sessionDigest } from '../principals/session-token.js';
import { sessionsForAuthentication } from '../sessions/sessions-service.js';
import { MESSAGES } from './authenticator.js';
import type { PrincipalCache } from './principal-cache.js';
import { resolveUserSubject } from './resolver.js';

/** A resolved session: its principal and when this process last saw it used. */
export interface CachedSession {
  principal: Principal;
  lastSeenMs: number;
  /** When last_seen_at was last written (by this process). */
  writtenMs: number;
}

export interface SessionAuthenticatorDeps {
  db: Db;
  /** Sessions by the SHA-256 of their cookie, evicted through the same invalidation as keys. */
  cache: PrincipalCache<CachedSession>;
  now: () => Date;
  idleTimeoutMs: number;
  logger: Logger;
  onFailure?: (code: AuthFailureCode) => void;
  /** The roles and permissions the identity provider's assignments may name (policy idpRoles). */
  vocabulary: IdpVocabulary;
}

type SessionFailure = Extract<
  AuthFailureCode,
  'invalid_token' | 'session_expired' | 'session_ended' | 'owner_inactive'
>;

/**
 * The sign-in cookie → principal (DESIGN §10). A session resolves exactly like a personal key of its
 * user (resolver.ts resolveUserSubject: every group they are in, nested groups included) and is
 * cached with the same tags, so the identity provider deactivating them or removing them from a
 * group evicts it on every process at once; its own tag (`s:<id>`) evicts it when it is ended.
 * A cached session costs no database access: the idle timeout is judged from what this process saw,
 * and only when that looks idle is the database asked (another process may have seen it used).
 */
export class SessionAuthenticator {
  private readonly pending = new Map<string, { epoch: number; promise: Promise<CachedSession | SessionFailure> }>();

  constructor(private readonly deps: SessionAuthenticatorDeps) {}

  /** Synchronous: a session this process has resolved, judged without the database; else undefined. */
  authenticateCached(secret: string): AuthResult | undefined {
    const digest = sessionDigest(secret);
    const entry = this.deps.cache.get(digest);
    if (!entry) return undefined;
    const nowMs = this.deps.now().getTime();
    if (nowMs >= entry.principal.expiresAt!.getTime()) return this.fail('session_expired');
    // Looks idle here: the database knows whether another process saw it since.
    if (nowMs - entry.lastSeenMs > this.deps.idleTimeoutMs) return undefined;
    return this.use(entry, nowMs);
  }

  async authenticate(secret: string): Promise<AuthResult> {
    if (!looksLikeSessionSecret(secret)) return this.fail('invalid_token');
    const cached = this.authenticateCached(secret);
    if (cached) return cached;
    const digest = sessionDigest(secret);
    const epoch = this.deps.cache.epoch;
    let pending = this.pending.get(digest);
    if (!pending || pending.epoch !== epoch) {
      const promise = this.resolve(secret, digest, epoch).finally(() => {
        if (this.pending.get(digest)?.promise === promise) this.pending.delete(digest);
      });
      pending = { epoch, promise };
      this.pending.set(digest, pending);
    }
    const resolved = await pending.promise;
    if (typeof resolved === 'string') return this.fail(resolved);
    return this.use(resolved, this.deps.now().getTime());
  }

  private async resolve(secret: string, digest: string, epoch: number): Promise<CachedSession | SessionFailure> {
    const { db, now, idleTimeoutMs } = this.deps;
    const row = await sessionsForAuthentication.find(db, digest);
    if (!row) return 'invalid_token';
    if (row.ended_at) return row.end_reason === 'owner_inactive' ? 'owner_inactive' : 'session_ended';
    const at = now();
    if (at >= row.expires_at) return 'session_expired';
    if (at.getTime() - row.last_seen_at.getTime() > idleTimeoutMs) {
      await sessionsForAuthentication.end(db, row.id, at, 'idle');
      return 'session_expired';
    }
    const resolved = await resolveUserSubject(db, row.org_id, row.user_id, this.deps.vocabulary);
    if (!resolved?.subject.active) {
      // The identity provider deactivated (or deleted) them: the session ends for good (issue 11).
      await sessionsForAuthentication.end(db, row.id, at, 'owner_inactive');
      return 'owner_inactive';
    }
    const { subject } = resolved;
    const principal: Principal = {
      orgId: row.org_id,
      orgName: (await organizationName(db, row.org_id)) ?? '',
      keyId: row.id,
      keyName: 'sign-in session',
      kind: 'personal',
      groupId: null,
      groupName: null,
      ownerUserId: subject.userId,
      ownerUserName: subject.userName,
      scim: false,
      impersonation: false,
      bootstrap: false,
      permissions: null,
      grant: subject.grant,
      expiresAt: row.expires_at,
      revokedAt: null,
      issuedAt: row.created_at,
      suspension: null,
      session: {
        id: row.id,
        userDisplayName: subject.displayName ?? null,
        csrfToken: csrfTokenOf(secret),
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      },
    };
    const seen = row.last_seen_at.getTime();
    const entry: CachedSession = { principal, lastSeenMs: seen, writtenMs: seen };
    this.deps.cache.set(digest, entry, [...resolved.tags, tag.session(row.id)], epoch);
    return entry;
  }

  /** A use: remembered here at once, written to the database at most every minute (or quarter idle timeout). */
  private use(entry: CachedSession, nowMs: number): AuthResult {
    entry.lastSeenMs = Math.max(entry.lastSeenMs, nowMs);
    const every = Math.min(60_000, this.deps.idleTimeoutMs / 4);
    if (nowMs - entry.writtenMs >= every) {
      entry.writtenMs = nowMs;
      const id = entry.principal.keyId;
      sessionsForAuthentication.touch(this.deps.db, id, new Date(nowMs)).catch((error: unknown) => {
        this.deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'session touch failed');
      });
    }
    return { ok: true, principal: entry.principal };
  }

  private fail(code: SessionFailure): AuthResult {
    this.deps.onFailure?.(code);
    return { ok: false, status: 401, code, message: MESSAGES[code] };
  }
}
