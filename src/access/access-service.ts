import { forbidden } from '../errors/domain-error.js';
import { BUILTIN_PERMISSIONS, can, decide } from '../principals/permissions.js';
import { principalStatus, type Principal } from '../principals/principal.js';
import type { KeyStatus, SuspensionReason } from '../principals/key-status.js';
import type { PermissionCatalogue } from '../principals/permission-catalogue.js';
import { accessErrors } from './access-errors.js';
import type { Authenticator } from './authenticator.js';

/**
 * The last description of each cached principal: a principal never changes (a change evicts it and
 * resolves a new one), so only its status, which time moves, can make the description differ.
 */
const described = new WeakMap<Principal, PrincipalDescription>();

/** What a key is and may do, as services see it (DESIGN §7). Shared between requests: never mutated. */
export function describePrincipal(p: Principal, now: Date): PrincipalDescription {
  const { status, reason } = principalStatus(p, now);
  const last = described.get(p);
  if (last && last.key.status === status && last.key.statusReason === reason) return last;
  const description = describe(p, status, reason);
  described.set(p, description);
  return description;
}

function describe(p: Principal, status: KeyStatus, reason: SuspensionReason | null) {
  return {
    /** `session`: a person signed in with their identity provider (the sign-in cookie); `key`: an API key or token. */
    kind: p.session ? ('session' as const) : ('key' as const),
    organization: { id: p.orgId, name: p.orgName },
    key: {
      id: p.keyId,
      name: p.keyName,
      kind: p.kind,
      scim: p.scim,
      impersonation: p.impersonation === true,
      status,
      statusReason: reason,
      expiresAt: p.expiresAt?.toISOString() ?? null,
    },
    group: p.groupId ? { id: p.groupId, name: p.groupName } : null,
    owner: p.ownerUserId ? { id: p.ownerUserId, userName: p.ownerUserName } : null,
    // A keyscope JWT (token exchange): its subject, actor, audience and lifetime.
    ...(p.signedToken ? { token: p.signedToken } : {}),
    // A session (DESIGN §10): the person, and the token state-changing requests must send as X-CSRF-Token.
    ...(p.session
      ? {
          user: { id: p.ownerUserId, userName: p.ownerUserName, displayName: p.session.userDisplayName },
          session: {
            id: p.session.id,
            createdAt: p.session.createdAt.toISOString(),
            expiresAt: p.session.expiresAt.toISOString(),
          },
          csrfToken: p.session.csrfToken,
        }
      : {}),
    permissions: p.grant,
    // Rules that grant only while a condition on the person holds (issue 13): each with its `when`,
    // and whether it holds now (those that hold are in `permissions`, narrowed like the rest).
    conditionalRules: (p.conditions ?? []).map((c) => ({
      ...(c.permission !== undefined ? { permission: c.permission } : {}),
      ...(c.role !== undefined ? { role: c.role } : {}),
      resources: c.resources,
      when: c.when,
      holds: c.holds,
    })),
    // Each built-in permission, decided: what a client (the admin page) may offer this key.
    can: Object.fromEntries(BUILTIN_PERMISSIONS.map((b) => [b.name, can(p.grant, b.name)])),
  };
}

export type PrincipalDescription = Readonly<ReturnType<typeof describe>>;

export type AuthorizeAnswer = { allowed: true } | { allowed: false; reason: string | undefined };

export type IntrospectAnswer =
  | { active: false }
  | ({
      active: true;
      scope: string;
      client_id: string;
      sub: string;
      token_type: 'Bearer';
      iat: number;
      exp?: number;
      iss?: string;
      aud?: string | string[];
      jti?: string;
      act?: { sub: string };
    } & PrincipalDescription);

export interface AccessServiceDeps {
  authenticator: Pick<Authenticator, 'authenticate'>;
  permissions: PermissionCatalogue;
  now: () => Date;
}

/** The access API services call: who am I, may I, and what is this other token. */
export class AccessService {
  constructor(private readonly deps: AccessServiceDeps) {}

  /** What rules and keys may name: the built-ins, KEYSCOPE_PERMISSIONS, and the roles. */
  knownPermissions() {
    return { permissions: this.deps.permissions.permissions, roles: this.deps.permissions.roles() };
  }

  me(principal: Principal): PrincipalDescription {
    return describePrincipal(principal, this.deps.now());
  }

  /**
   * A denied permission is a normal answer (allowed false, with the reason), not an error; an
   * unknown one is an error (400 unknown_permission), whoever asks: even a `*` key would be
   * "allowed" a misspelt permission, and hide the typo until a narrower key meets it.
   */
  authorize(principal: Principal, query: { permission: string; resource?: string }): AuthorizeAnswer {
    if (!this.deps.permissions.isKnown(query.permission)) throw accessErrors.unknownPermission(query.permission);
    const decision = decide(principal.grant, query.permission, query.resource);
    return decision.allowed ? { allowed: true } : { allowed: false, reason: decision.reason };
  }

  /** RFC 7662. Unknown, revoked, expired and other organizations' tokens all read as {active: false}. */
  async introspect(caller: Principal, token: string, origin = ''): Promise<IntrospectAnswer> {
    if (!can(caller.grant, 'keys:introspect')) throw forbidden('This key lacks the keys:introspect permission');
    const result = await this.deps.authenticator.authenticate(`Bearer ${token}`, `introspect:${caller.keyId}`, {
      recordUse: false,
      // A token made for another service is still keyscope's to describe (RFC 7662 §2.2).
      signedTokens: { origin, anyAudience: true },
    });
    if (!result.ok || result.principal.orgId !== caller.orgId) return { active: false };
    const p = result.principal;
    const signed = p.signedToken;
    if (signed) {
      return {
        active: true,
        scope: signed.scope,
        client_id: p.keyId,
        sub: signed.sub,
        token_type: 'Bearer',
        iat: signed.iat,
        exp: signed.exp,
        iss: signed.iss,
        aud: signed.aud,
        jti: signed.jti,
        ...(signed.act ? { act: signed.act } : {}),
        ...describePrincipal(p, this.deps.now()),
      };
    }
    return {
      active: true,
      scope: p.grant.map((g) => g.permission).join(' '),
      client_id: p.keyId,
      sub: p.ownerUserId ?? p.keyId,
      token_type: 'Bearer',
      iat: Math.floor(p.issuedAt.getTime() / 1000),
      ...(p.expiresAt ? { exp: Math.floor(p.expiresAt.getTime() / 1000) } : {}),
      ...describePrincipal(p, this.deps.now()),
    };
  }
}
