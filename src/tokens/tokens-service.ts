import { randomUUID, timingSafeEqual } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { auditedBy, recordAudit } from '../audit/audit-service.js';
import type { Db } from '../db/db.js';
import { tag, type UnitOfWork } from '../db/unit-of-work.js';
import { organizationGrantPolicy } from '../orgs/orgs-service.js';
import type { IdpVocabulary } from '../principals/idp-grant.js';
import { forbidden } from '../errors/domain-error.js';
import { can, covers, intersect, isPattern, type Grant } from '../principals/permissions.js';
import type { RequestContext } from '../principals/request-context.js';
import { tokenDigest } from '../principals/token.js';
import { personGrant, userByIdOrName } from '../users/users-service.js';
import type { SigningKeys } from './signing-keys.js';
import { tokenErrors } from './tokens-errors.js';
import {
  ACCESS_TOKEN_TYPE,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  JWT_TOKEN_TYPE,
  MAX_TOKEN_LIFETIME_SECONDS,
  SIGNING_ALG,
  TOKEN_EXCHANGE_GRANT,
  type KeyscopeClaims,
  type PublicJwk,
  type TokenRequest,
  type TokenResponse,
} from './tokens.js';

export interface TokensServiceDeps {
  db: Db;
  unitOfWork: UnitOfWork;
  signingKeys: SigningKeys;
  now: () => Date;
  /** PUBLIC_URL: the issuer. Without it, the base URL each request came to. */
  publicUrl: string | undefined;
  /** What the identity provider's roles and entitlements may name (the idpRoles policy). */
  vocabulary: IdpVocabulary;
}

/** How a verified token may be used: keyscope's own API wants itself as audience; introspection takes any. */
export interface VerifyOptions {
  /** The base URL the request came to (the issuer when PUBLIC_URL is not set). */
  origin: string;
  anyAudience?: boolean;
}

const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_VERIFIED = 10_000;
const AUDIENCE = /^[\x21-\x7e]{1,300}$/;

/** Whether a bearer value is shaped like a JWT (keyscope's keys never are). */
export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPE.test(token);
}

/**
 * Token exchange (RFC 8693) and the tokens it issues (issue 12): any key may exchange itself for a
 * short-lived JWT of its own grant, narrowed by `scope`; an impersonation key may ask for a token of
 * an active user of its organization, never granting more than both the key and the user hold.
 * Tokens are ES256 JWTs signed with SigningKeys and verifiable offline against the JWKS.
 */
export class TokensService {
  /** Verified tokens by digest and issuer: a signature is checked once per process. */
  private readonly verified = new Map<string, KeyscopeClaims>();

  constructor(private readonly deps: TokensServiceDeps) {}

  issuer(origin: string): string {
    return this.deps.publicUrl ?? origin;
  }

  async exchange(ctx: RequestContext, presented: string, input: TokenRequest, origin: string): Promise<TokenResponse> {
    const p = ctx.principal;
    if (input.grant_type !== TOKEN_EXCHANGE_GRANT) throw tokenErrors.unsupportedGrantType(input.grant_type);
    if (input.subject_token_type !== ACCESS_TOKEN_TYPE)
      throw tokenErrors.invalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);
    if (!sameSecret(input.subject_token, presented))
      throw tokenErrors.invalidRequest('subject_token must be the key sent in the Authorization header');
    if (
      input.requested_token_type !== undefined &&
      input.requested_token_type !== JWT_TOKEN_TYPE &&
      input.requested_token_type !== ACCESS_TOKEN_TYPE
    )
      throw tokenErrors.invalidRequest(`requested_token_type: keyscope issues ${JWT_TOKEN_TYPE} only`);
    if (input.resource !== undefined)
      throw tokenErrors.invalidTarget('resource is not supported; name the service with audience');
    const lifetime = lifetimeOf(input.expires_in);
    const issuer = this.issuer(origin);
    const audiences = audiencesOf(input.audience);

    // The subject: the key itself (its owner for a personal key), or the user an impersonation key names.
    let sub = p.ownerUserId ?? `key:${p.keyId}`;
    let base: Grant = p.grant;
    let impersonated: { id: string; userName: string } | undefined;
    if (input.requested_subject !== undefined) {
      const user = await userByIdOrName(this.deps.db, p.orgId, input.requested_subject);
      if (!(user && user.id === p.ownerUserId && user.active)) {
        if (!p.impersonation) throw tokenErrors.notImpersonationKey();
        if (!user?.active) throw tokenErrors.unknownSubject();
        const idpRoles = (await organizationGrantPolicy(this.deps.db, p.orgId))?.idpRoles === true;
        const userHolds = await personGrant(this.deps.db, p.orgId, user.id, {
          idpRoles,
          vocabulary: this.deps.vocabulary,
        });
        base = intersect(p.grant, userHolds);
        impersonated = { id: user.id, userName: user.userName };
      }
      sub = user.id;
    }

    const scope = scopeOf(input.scope, base);
    const now = this.deps.now();
    const iat = Math.floor(now.getTime() / 1000);
    // Never outlive the key that asked (its expiry, or the end of a rotation's grace period).
    const ends = [iat + lifetime, ...[p.expiresAt, p.revokedAt].filter((d) => d !== null).map(seconds)];
    const exp = Math.min(...ends);
    if (exp <= iat) throw tokenErrors.invalidClient('This key expires now; rotate it');
    const claims: KeyscopeClaims = {
      iss: issuer,
      sub,
      aud: audiences.length === 0 ? issuer : audiences.length === 1 ? audiences[0]! : audiences,
      iat,
      nbf: iat,
      exp,
      jti: randomUUID(),
      scope: scope.join(' '),
      org: p.orgId,
      key_id: p.keyId,
      client_id: p.keyId,
      ...(impersonated ? { act: { sub: `key:${p.keyId}` } } : {}),
    };
    const { kid, privateKey } = await this.deps.signingKeys.current();
    const { iss: _iss, sub: _sub, aud: _aud, iat: _iat, nbf: _nbf, exp: _exp, jti: _jti, ...rest } = claims;
    const accessToken = await new SignJWT(rest)
      .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: 'JWT' })
      .setIssuer(claims.iss)
      .setSubject(claims.sub)
      .setAudience(claims.aud)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(exp)
      .setJti(claims.jti)
      .sign(privateKey);

    if (impersonated) {
      // Acting as another person is audited every time (DESIGN §9).
      await recordAudit(this.deps.db, {
        ...auditedBy(ctx),
        action: 'key.impersonate',
        target: `user:${impersonated.id}`,
        details: {
          keyId: p.keyId,
          userName: impersonated.userName,
          jti: claims.jti,
          scope: claims.scope,
          aud: claims.aud,
          expiresAt: new Date(exp * 1000).toISOString(),
        },
      });
    }
    return {
      access_token: accessToken,
      issued_token_type: JWT_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: exp - iat,
      scope: claims.scope,
    };
  }

  /**
   * A keyscope token's claims if its signature (a published key, ES256 only), issuer, audience and
   * times hold; undefined otherwise. Whether its key and user are still active is access/'s question.
   */
  async verify(token: string, options: VerifyOptions): Promise<KeyscopeClaims | undefined> {
    if (!looksLikeJwt(token)) return undefined;
    const issuer = this.issuer(options.origin);
    const cacheKey = `${issuer} ${tokenDigest(token)}`;
    const nowSeconds = this.deps.now().getTime() / 1000;
    let claims = this.verified.get(cacheKey);
    if (claims && claims.exp <= nowSeconds) {
      this.verified.delete(cacheKey);
      return undefined;
    }
    if (!claims) {
      claims = await this.verifySignature(token, issuer);
      if (!claims) return undefined;
      if (this.verified.size >= MAX_VERIFIED) {
        const oldest = this.verified.keys().next().value;
        if (oldest !== undefined) this.verified.delete(oldest);
      }
      this.verified.set(cacheKey, claims);
    }
    if (claims.nbf > nowSeconds + 5) return undefined;
    if (!options.anyAudience && !(Array.isArray(claims.aud) ? claims.aud : [claims.aud]).includes(issuer))
      return undefined;
    return claims;
  }

  private async verifySignature(token: string, issuer: string): Promise<KeyscopeClaims | undefined> {
    try {
      const { kid, alg } = decodeProtectedHeader(token);
      if (alg !== SIGNING_ALG || typeof kid !== 'string') return undefined;
      const key = await this.deps.signingKeys.publicKey(kid);
      if (!key) return undefined;
      const { payload } = await jwtVerify(token, key, {
        algorithms: [SIGNING_ALG],
        issuer,
        currentDate: this.deps.now(),
        clockTolerance: 5,
        requiredClaims: ['sub', 'aud', 'iat', 'nbf', 'exp', 'jti'],
      });
      return claimsOf(payload);
    } catch {
      return undefined;
    }
  }

  /** RFC 7517: the public keys tokens may be signed with. */
  async jwks(): Promise<{ keys: PublicJwk[] }> {
    return { keys: (await this.deps.signingKeys.published()).map((k) => k.jwk) };
  }

  /** RFC 8414 §2: authorization server metadata. */
  metadata(origin: string) {
    const issuer = this.issuer(origin);
    return {
      issuer,
      token_endpoint: `${issuer}/api/v1/token`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      introspection_endpoint: `${issuer}/api/v1/introspect`,
      grant_types_supported: [TOKEN_EXCHANGE_GRANT],
      token_endpoint_auth_methods_supported: ['client_secret_bearer'],
      introspection_endpoint_auth_methods_supported: ['client_secret_bearer'],
      response_types_supported: [],
      scopes_supported: [],
      token_endpoint_auth_signing_alg_values_supported: [SIGNING_ALG],
      id_token_signing_alg_values_supported: [SIGNING_ALG],
    };
  }

  /** `keyscope signing-keys rotate`: the operator on the database, no key involved. */
  async rotateOnDatabase(): Promise<{ kid: string; retired: string | null }> {
    return this.deps.unitOfWork.write(async (tx, changed) => {
      const result = await this.deps.signingKeys.rotate(tx);
      changed(tag.signingKeys());
      return result;
    });
  }

  /** A new signing key now (platform permission orgs:create, the bootstrap key's). */
  async rotate(ctx: RequestContext): Promise<{ kid: string; retired: string | null }> {
    const p = ctx.principal;
    if (!can(p.grant, 'orgs:create')) throw forbidden('Rotating the signing keys needs the orgs:create permission');
    return this.deps.unitOfWork.write(async (tx, changed) => {
      const result = await this.deps.signingKeys.rotate(tx);
      changed(tag.signingKeys());
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'signing_key.rotate',
        target: `signing_key:${result.kid}`,
        details: { retired: result.retired },
      });
      return result;
    });
  }
}

function seconds(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(tokenDigest(a));
  const y = Buffer.from(tokenDigest(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

function lifetimeOf(raw: string | number | undefined): number {
  if (raw === undefined) return DEFAULT_TOKEN_LIFETIME_SECONDS;
  const value = typeof raw === 'number' ? raw : /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < 1 || value > MAX_TOKEN_LIFETIME_SECONDS)
    throw tokenErrors.invalidRequest(
      `expires_in must be a whole number of seconds from 1 to ${MAX_TOKEN_LIFETIME_SECONDS}`,
    );
  return value;
}

function audiencesOf(raw: string | string[] | undefined): string[] {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  for (const a of list)
    if (!AUDIENCE.test(a))
      throw tokenErrors.invalidTarget(
        'audience must be 1 to 300 printable characters without spaces (a URI or a name)',
      );
  return [...new Set(list)];
}

/** RFC 6749 §3.3: space-separated; each asked permission must be one the subject holds (never wider). */
function scopeOf(raw: string | undefined, base: Grant): string[] {
  if (raw === undefined) return [...new Set(base.map((e) => e.permission))];
  const asked = [...new Set(raw.split(' ').filter(Boolean))];
  for (const s of asked) {
    if (!isPattern(s)) throw tokenErrors.invalidScope(`"${s.slice(0, 100)}" is not a permission (resource:action)`);
    if (!base.some((e) => covers(e.permission, s)))
      throw tokenErrors.invalidScope(`${s} is more than the token's subject holds`);
  }
  return asked;
}

function claimsOf(payload: JWTPayload): KeyscopeClaims | undefined {
  const { iss, sub, aud, iat, nbf, exp, jti } = payload;
  const { scope, org, key_id: keyId, act } = payload as Record<string, unknown>;
  if (
    typeof iss !== 'string' ||
    typeof sub !== 'string' ||
    aud === undefined ||
    typeof iat !== 'number' ||
    typeof nbf !== 'number' ||
    typeof exp !== 'number' ||
    typeof jti !== 'string' ||
    typeof scope !== 'string' ||
    typeof org !== 'string' ||
    typeof keyId !== 'string'
  )
    return undefined;
  const actor =
    act && typeof act === 'object' && typeof (act as { sub?: unknown }).sub === 'string'
      ? { sub: (act as { sub: string }).sub }
      : undefined;
  return {
    iss,
    sub,
    aud,
    iat,
    nbf,
    exp,
    jti,
    scope,
    org,
    key_id: keyId,
    client_id: keyId,
    ...(actor ? { act: actor } : {}),
  };
}
