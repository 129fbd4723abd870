import { randomBytes, randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import { auditedBy, recordAudit } from '../audit/audit-service.js';
import type { Db } from '../db/db.js';
import { tag, type UnitOfWork } from '../db/unit-of-work.js';
import { DomainError } from '../errors/domain-error.js';
import { organizationByIdOrName } from '../orgs/orgs-service.js';
import type { Actor } from '../principals/actor.js';
import { can } from '../principals/permissions.js';
import type { RequestContext } from '../principals/request-context.js';
import { csrfMatches, csrfTokenOf, newSessionSecret, sessionDigest } from '../principals/session-token.js';
import { openWith, sealWith } from '../tokens/signing-keys.js';
import { userById, usersForSignIn } from '../users/users-service.js';
import { sessionErrors } from './sessions-errors.js';
import {
  deleteSsoSettings,
  endSession,
  findSessionBySecretHash,
  findSsoSettings,
  insertSession,
  insertSignInAttempt,
  takeSignInAttempt,
  upsertSsoSettings,
} from './sessions-store.js';
import {
  isLoopbackHttp,
  safeReturnTo,
  SIGNIN_ATTEMPT_MS,
  type PutSsoInput,
  type SsoSettings,
  type SsoSettingsRow,
} from './sessions.js';

/** What sealWith derives its key for: the client secrets of identity providers. */
const SECRET_PURPOSE = 'sso-client-secret/v1';
/** A discovery document (and the provider's keys openid-client fetched with it) is trusted this long. */
const DISCOVERY_TTL_MS = 10 * 60_000;
const SCOPE = 'openid profile email';

export interface SignInServiceDeps {
  db: Db;
  unitOfWork: UnitOfWork;
  now: () => Date;
  /** PUBLIC_URL: the redirect URI is `${publicUrl}/auth/callback`. */
  publicUrl: string | undefined;
  /** SIGNING_KEY_SECRET: seals the client secrets at rest. */
  sealingSecret: string | undefined;
  sessionMaxLifetimeMs: number;
  /** Told when something goes wrong that the person cannot fix (logged by the caller, without secrets). */
  onProblem?: (message: string, details: Record<string, unknown>) => void;
}

/** A page for the person signing in: why it did not work, in words (never a stack or a token). */
export interface SignInPage {
  status: number;
  title: string;
  message: string;
}

export type BeginResult = { ok: true; redirect: string; attemptSecret: string } | ({ ok: false } & SignInPage);
export type CompleteResult =
  | { ok: true; sessionSecret: string; returnTo: string; expiresAt: Date }
  | ({ ok: false } & SignInPage);

/** Why a sign-in was refused, as the audit log and the page say it. */
type FailureReason =
  | 'provider_error'
  | 'claim_missing'
  | 'not_provisioned'
  | 'ambiguous'
  | 'deactivated'
  | 'misconfigured';

interface CachedConfiguration {
  updatedAt: number;
  loadedAt: number;
  config: oidc.Configuration;
}

/**
 * OpenID Connect sign-in per organization (DESIGN §10, issue 11): the organization's settings, the
 * Authorization Code flow with PKCE (S256), state and nonce through openid-client (which checks the
 * ID token: signature against the provider's JWKS, issuer, audience, nonce, expiry), the match to an
 * active SCIM-provisioned user, and the server-side session that follows.
 */
export class SignInService {
  private readonly configurations = new Map<string, CachedConfiguration>();

  constructor(private readonly deps: SignInServiceDeps) {}

  get redirectUri(): string | null {
    return this.deps.publicUrl ? `${this.deps.publicUrl}/auth/callback` : null;
  }

  // ---- the organization's settings (org:admin) ----

  async getSettings(ctx: RequestContext): Promise<SsoSettings> {
    requireAdmin(ctx);
    const row = await findSsoSettings(this.deps.db, ctx.orgId);
    if (!row) throw sessionErrors.notConfigured();
    return this.toSettings(row);
  }

  /** Whether an organization offers sign-in (the admin page asks before anyone is signed in). */
  async signInOffered(orgRef: string): Promise<boolean> {
    const org = await organizationByIdOrName(this.deps.db, orgRef);
    return (
      org !== undefined && this.redirectUri !== null && (await findSsoSettings(this.deps.db, org.id)) !== undefined
    );
  }

  /**
   * Saves the settings after reading the issuer's discovery document with them, so a typo is a 400
   * now rather than a broken sign-in later. The secret is sealed, and never audited.
   */
  async putSettings(ctx: RequestContext, input: PutSsoInput): Promise<SsoSettings> {
    requireAdmin(ctx);
    if (!this.redirectUri) throw sessionErrors.publicUrlMissing();
    const existing = await findSsoSettings(this.deps.db, ctx.orgId);
    let secret = input.clientSecret;
    if (secret === undefined) {
      if (!existing?.client_secret) throw sessionErrors.secretRequired();
      secret = this.open(existing);
    }
    const config = await this.discover(input.issuer, input.clientId, secret);
    const now = this.deps.now();
    const row = await this.deps.unitOfWork.write(async (tx) => {
      const saved = await upsertSsoSettings(
        tx,
        {
          org_id: ctx.orgId,
          issuer: input.issuer,
          client_id: input.clientId,
          client_secret:
            input.clientSecret === undefined
              ? null
              : sealWith(input.clientSecret, ctx.orgId, this.deps.sealingSecret, SECRET_PURPOSE),
          claim: input.claim,
          attribute: input.attribute,
        },
        now,
      );
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: existing ? 'sso.update' : 'sso.create',
        target: `org:${ctx.orgId}`,
        details: {
          issuer: input.issuer,
          clientId: input.clientId,
          claim: input.claim,
          attribute: input.attribute,
          clientSecretChanged: input.clientSecret !== undefined,
        },
      });
      return saved;
    });
    this.configurations.set(ctx.orgId, { updatedAt: row.updated_at.getTime(), loadedAt: Date.now(), config });
    return this.toSettings(row);
  }

  async deleteSettings(ctx: RequestContext): Promise<void> {
    requireAdmin(ctx);
    await this.deps.unitOfWork.write(async (tx) => {
      if (!(await deleteSsoSettings(tx, ctx.orgId))) throw sessionErrors.notConfigured();
      await recordAudit(tx, { ...auditedBy(ctx), action: 'sso.delete', target: `org:${ctx.orgId}` });
    });
    this.configurations.delete(ctx.orgId);
  }

  // ---- the flow ----

  /** GET /auth/login: a new attempt (state, nonce, PKCE verifier kept server-side) and where to send the browser. */
  async begin(orgRef: string, returnTo: string | undefined): Promise<BeginResult> {
    const org = await organizationByIdOrName(this.deps.db, orgRef);
    const settings = org && (await findSsoSettings(this.deps.db, org.id));
    const redirectUri = this.redirectUri;
    // An unknown organization reads like one without sign-in: the page does not tell names that exist.
    if (!org || !settings || !redirectUri) return { ok: false, ...NOT_AVAILABLE(orgRef) };
    let config: oidc.Configuration;
    try {
      config = await this.configurationFor(settings);
    } catch (error) {
      this.problem('identity provider unreachable', { orgId: org.id, issuer: settings.issuer, error: describe(error) });
      return { ok: false, ...PROVIDER_UNREACHABLE };
    }
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const attemptSecret = randomBytes(32).toString('base64url');
    const now = this.deps.now();
    await insertSignInAttempt(
      this.deps.db,
      sessionDigest(attemptSecret),
      {
        org_id: org.id,
        state,
        nonce,
        code_verifier: verifier,
        return_to: safeReturnTo(returnTo),
        expires_at: new Date(now.getTime() + SIGNIN_ATTEMPT_MS),
      },
      now,
    );
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { ok: true, redirect: url.href, attemptSecret };
  }

  /**
   * GET /auth/callback: the attempt this browser started (its cookie), used once; the code
   * exchanged and the ID token checked by openid-client; the person matched; a session.
   */
  async complete(attemptSecret: string | undefined, search: string, requestId?: string): Promise<CompleteResult> {
    const now = this.deps.now();
    const attempt = attemptSecret
      ? await takeSignInAttempt(this.deps.db, sessionDigest(attemptSecret), now)
      : undefined;
    if (!attempt) return { ok: false, ...ATTEMPT_UNKNOWN };
    const orgId = attempt.org_id;
    const settings = await findSsoSettings(this.deps.db, orgId);
    const redirectUri = this.redirectUri;
    if (!settings || !redirectUri) return { ok: false, ...NOT_AVAILABLE('this organization') };

    let claims: Record<string, unknown>;
    try {
      const config = await this.configurationFor(settings);
      const currentUrl = new URL(redirectUri);
      currentUrl.search = search;
      const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: attempt.code_verifier,
        expectedState: attempt.state,
        expectedNonce: attempt.nonce,
        idTokenExpected: true,
      });
      claims = (tokens.claims() ?? {}) as Record<string, unknown>;
    } catch (error) {
      const detail = describe(error);
      await this.auditFailure(orgId, requestId, 'provider_error', { error: detail });
      return { ok: false, ...PROVIDER_REFUSED(detail) };
    }

    const value = claims[settings.claim];
    if (typeof value !== 'string' || !value) {
      await this.auditFailure(orgId, requestId, 'claim_missing', { claim: settings.claim, sub: claims.sub });
      return { ok: false, ...CLAIM_MISSING(settings.claim) };
    }
    const found = await usersForSignIn(this.deps.db, orgId, settings.attribute, value);
    const who = { claim: settings.claim, value, attribute: settings.attribute };
    if (found.length === 0) {
      await this.auditFailure(orgId, requestId, 'not_provisioned', who);
      return { ok: false, ...NOT_PROVISIONED(value) };
    }
    if (found.length > 1) {
      await this.auditFailure(orgId, requestId, 'ambiguous', who);
      return { ok: false, ...AMBIGUOUS(value, settings.attribute) };
    }
    const user = found[0]!;
    if (user.active !== true) {
      await this.auditFailure(orgId, requestId, 'deactivated', { ...who, userId: user.id });
      return { ok: false, ...DEACTIVATED(value) };
    }

    const sessionSecret = newSessionSecret();
    const sessionId = randomUUID();
    const expiresAt = new Date(now.getTime() + this.deps.sessionMaxLifetimeMs);
    await this.deps.unitOfWork.write(async (tx) => {
      await insertSession(tx, {
        id: sessionId,
        secretHash: sessionDigest(sessionSecret),
        orgId,
        userId: user.id,
        createdAt: now,
        expiresAt,
      });
      await recordAudit(tx, {
        orgId,
        actor: personActor(user.id, user.userName),
        requestId,
        action: 'signin',
        target: `user:${user.id}`,
        details: { sessionId, issuer: settings.issuer, ...who, expiresAt: expiresAt.toISOString() },
      });
    });
    return { ok: true, sessionSecret, returnTo: attempt.return_to, expiresAt };
  }

  /**
   * POST /auth/logout: ends the session on every process (its change tag evicts it everywhere) and
   * offers the provider's end-session endpoint (OpenID Connect RP-Initiated Logout) when it has one.
   */
  async logout(
    sessionSecret: string | undefined,
    csrfToken: string | undefined,
    requestId?: string,
  ): Promise<{ ended: boolean; endSessionUrl: string | null }> {
    const row = sessionSecret ? await findSessionBySecretHash(this.deps.db, sessionDigest(sessionSecret)) : undefined;
    if (!row || !sessionSecret || row.ended_at) return { ended: false, endSessionUrl: null };
    if (!csrfMatches(csrfTokenOf(sessionSecret), csrfToken)) throw csrfFailed();
    const now = this.deps.now();
    const user = await userById(this.deps.db, row.org_id, row.user_id);
    const ended = await this.deps.unitOfWork.write(async (tx, changed) => {
      const done = await endSession(tx, row.id, now, 'signout');
      if (!done) return false;
      changed(tag.session(row.id));
      await recordAudit(tx, {
        orgId: row.org_id,
        actor: personActor(row.user_id, user?.userName ?? row.user_id),
        requestId,
        action: 'signout',
        target: `user:${row.user_id}`,
        details: { sessionId: row.id },
      });
      return true;
    });
    let endSessionUrl: string | null = null;
    const settings = await findSsoSettings(this.deps.db, row.org_id);
    if (settings) {
      try {
        const config = await this.configurationFor(settings);
        if (config.serverMetadata().end_session_endpoint)
          endSessionUrl = oidc.buildEndSessionUrl(config, { client_id: settings.client_id }).href;
      } catch {
        // The provider being down does not keep anyone signed in here.
      }
    }
    return { ended, endSessionUrl };
  }

  private async auditFailure(
    orgId: string,
    requestId: string | undefined,
    reason: FailureReason,
    details: Record<string, unknown>,
  ): Promise<void> {
    const named = typeof details.value === 'string' ? details.value : 'someone';
    await recordAudit(this.deps.db, {
      orgId,
      actor: { id: 'signin', name: `${named} (sign-in refused)` },
      requestId,
      action: 'signin.failed',
      details: { reason, ...details },
    });
  }

  private async configurationFor(settings: SsoSettingsRow): Promise<oidc.Configuration> {
    const cached = this.configurations.get(settings.org_id);
    if (cached && cached.updatedAt === settings.updated_at.getTime() && Date.now() - cached.loadedAt < DISCOVERY_TTL_MS)
      return cached.config;
    const config = await this.discover(settings.issuer, settings.client_id, this.open(settings));
    this.configurations.set(settings.org_id, {
      updatedAt: settings.updated_at.getTime(),
      loadedAt: Date.now(),
      config,
    });
    return config;
  }

  private async discover(issuer: string, clientId: string, secret: string): Promise<oidc.Configuration> {
    const url = new URL(issuer);
    try {
      return await oidc.discovery(url, clientId, undefined, oidc.ClientSecretBasic(secret), {
        // The ID token's signature is checked against the provider's JWKS too, not only trusted for
        // having come over TLS from the token endpoint (OpenID Connect Core §3.1.3.7 allows that
        // shortcut; a tampered or forged token must fail here whatever the transport). http only for
        // a provider on this machine (see isLoopbackHttp): never over a network.
        execute: isLoopbackHttp(url)
          ? [oidc.enableNonRepudiationChecks, oidc.allowInsecureRequests]
          : [oidc.enableNonRepudiationChecks],
        timeout: 10,
      });
    } catch (error) {
      throw sessionErrors.discoveryFailed(issuer, describe(error));
    }
  }

  private open(row: SsoSettingsRow): string {
    try {
      return openWith(row.client_secret, row.org_id, this.deps.sealingSecret, SECRET_PURPOSE);
    } catch {
      this.problem('the client secret cannot be opened (was SIGNING_KEY_SECRET changed?)', { orgId: row.org_id });
      throw sessionErrors.discoveryFailed(
        row.issuer,
        'the stored client secret cannot be opened with SIGNING_KEY_SECRET; save the sign-in settings again with the secret',
      );
    }
  }

  private toSettings(row: SsoSettingsRow): SsoSettings {
    return {
      enabled: true,
      issuer: row.issuer,
      clientId: row.client_id,
      hasClientSecret: row.client_secret !== '',
      claim: row.claim,
      attribute: row.attribute,
      redirectUri: this.redirectUri,
      updatedAt: row.updated_at.toISOString(),
    };
  }

  private problem(message: string, details: Record<string, unknown>): void {
    this.deps.onProblem?.(message, details);
  }
}

function requireAdmin(ctx: RequestContext): void {
  if (!can(ctx.principal.grant, 'org:admin')) throw sessionErrors.needsAdmin();
}

/** The person as the audit log names them when they act in a session. */
export function personActor(userId: string, userName: string): Actor {
  return { id: `user:${userId}`, name: `${userName} (via sign-in)` };
}

export function csrfFailed(): DomainError {
  return new DomainError(
    'forbidden',
    'csrf_failed',
    'csrf_failed: a request authenticated by the sign-in cookie must send X-CSRF-Token (the csrfToken of GET /api/v1/me)',
  );
}

/** An error as words for the page and the audit log: its code and message, nothing else. */
function describe(error: unknown): string {
  if (error instanceof DomainError) return error.message;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const inner = error as { error?: unknown; error_description?: unknown };
    const oauth =
      typeof inner.error === 'string'
        ? ` (${inner.error}${typeof inner.error_description === 'string' ? `: ${inner.error_description}` : ''})`
        : '';
    return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}${oauth}`.slice(0, 500);
  }
  return 'unknown error';
}

const NOT_AVAILABLE = (ref: string): SignInPage => ({
  status: 404,
  title: 'Sign-in is not available',
  message: `Sign-in with an identity provider is not available for organization "${ref}": it is not set up, or there is no such organization. Check the sign-in link, use an API key, or ask an administrator.`,
});
const PROVIDER_UNREACHABLE: SignInPage = {
  status: 502,
  title: 'The identity provider cannot be reached',
  message: 'keyscope could not read the identity provider’s configuration. Try again in a moment.',
};
const ATTEMPT_UNKNOWN: SignInPage = {
  status: 400,
  title: 'This sign-in cannot be completed',
  message:
    'The sign-in expired, was already completed, or was started in another browser. Start again from the sign-in page.',
};
const PROVIDER_REFUSED = (detail: string): SignInPage => ({
  status: 400,
  title: 'The sign-in was refused',
  message: `The answer from the identity provider could not be accepted (${detail}). Start again from the sign-in page.`,
});
const CLAIM_MISSING = (claim: string): SignInPage => ({
  status: 403,
  title: 'Your identity could not be matched',
  message: `The identity provider did not say who you are in the "${claim}" claim that this organization matches on. Ask an administrator.`,
});
const NOT_PROVISIONED = (value: string): SignInPage => ({
  status: 403,
  title: 'You are not provisioned in this organization',
  message: `${value} signed in at the identity provider, but no such person has been provisioned to this keyscope organization (or they belong to another organization). Ask an administrator to assign you to the keyscope application.`,
});
const AMBIGUOUS = (value: string, attribute: string): SignInPage => ({
  status: 403,
  title: 'Your identity matches more than one person',
  message: `More than one provisioned person has ${attribute} "${value}". Ask an administrator.`,
});
const DEACTIVATED = (value: string): SignInPage => ({
  status: 403,
  title: 'Your account is deactivated',
  message: `${value} is deactivated in this organization. Ask an administrator.`,
});
