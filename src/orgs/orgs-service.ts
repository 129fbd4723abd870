import { randomUUID } from 'node:crypto';
import { tag, type UnitOfWork } from '../db/unit-of-work.js';
import { can } from '../principals/permissions.js';
import { actorOf } from '../principals/principal.js';
import type { RequestContext } from '../principals/request-context.js';
import { SYSTEM_ACTOR, type Actor } from '../principals/actor.js';
import { auditedBy, recordAudit } from '../audit/audit-service.js';
import type { Db, Queryable } from '../db/db.js';
import { createLocalGroup } from '../groups/groups-admin-service.js';
import type { GroupRule } from '../groups/groups.js';
import { issueKey, prepareSecret, type IssuedKey } from '../keys/keys-service.js';
import type { KeyPolicy } from '../keys/keys.js';
import { orgErrors } from './orgs-errors.js';
import {
  findOrganization,
  findOrganizationByIdOrName,
  firstOrganization,
  insertOrganization,
  lockBootstrap,
  lockOrganization,
  organizationForPrincipal,
  organizationName as nameOf,
  updateOrganizationPolicy,
} from './orgs-store.js';
import { ADMINS_GROUP_NAME, DEFAULT_ORG_NAME, OrgPolicy, type Organization, type UpdatePolicyInput } from './orgs.js';

export interface OrgsServiceDeps {
  db: Db;
  unitOfWork: UnitOfWork;
  bcryptCost: number;
  now: () => Date;
}

export interface BootstrapResult {
  organization: Organization;
  /** The bootstrap key's value when keyscope generated it (print once); undefined when supplied or already done. */
  token?: string;
  created: boolean;
}

/** The organization's name, for a principal (access/resolver); undefined for an unknown id. */
export function organizationName(q: Queryable, orgId: string): Promise<string | undefined> {
  return nameOf(q, orgId);
}

/**
 * The organization's name and whether the identity provider's roles and entitlements grant
 * (policy idpRoles), for a principal (access/resolver) and for keys-service's checks.
 */
export function organizationGrantPolicy(
  q: Queryable,
  orgId: string,
): Promise<{ name: string; idpRoles: boolean } | undefined> {
  return organizationForPrincipal(q, orgId);
}

/**
 * Locks the organization for the rest of the transaction and reads its key policy: keys-service's
 * KeyPolicySource (wired in app.ts), so two key creations cannot both pass the key limit.
 */
export async function lockKeyPolicy(q: Queryable, orgId: string): Promise<KeyPolicy | undefined> {
  return (await lockOrganization(q, orgId))?.policy;
}

/** An organization by id or name, for a sign-in link (sessions/). */
export function organizationByIdOrName(q: Queryable, idOrName: string): Promise<Organization | undefined> {
  return findOrganizationByIdOrName(q, idOrName);
}

/** The key policy without a lock: keys-service's KeyPolicySource.read. */
export async function readKeyPolicy(q: Queryable, orgId: string): Promise<KeyPolicy | undefined> {
  return (await findOrganization(q, orgId))?.policy;
}

export class OrgsService {
  constructor(private readonly deps: OrgsServiceDeps) {}

  /**
   * First start on an empty database (DESIGN §7): organization `default`, group `Admins` (role admin,
   * plus the platform permissions orgs:create and metrics:read, which no wildcard grants) and an
   * admin key. `suppliedKey` (BOOTSTRAP_ADMIN_KEY) becomes that key's value instead of a generated
   * one; only its hash is stored.
   */
  async bootstrap(suppliedKey?: string): Promise<BootstrapResult> {
    return this.deps.db.transaction(async (tx) => {
      await lockBootstrap(tx);
      const existing = await firstOrganization(tx);
      if (existing) return { organization: existing, created: false };
      const { organization, token } = await this.createWithAdminKey(tx, DEFAULT_ORG_NAME, SYSTEM_ACTOR, {
        rules: [{ role: 'admin' }, { permission: 'orgs:create' }, { permission: 'metrics:read' }],
        keyName: 'Bootstrap admin key',
        suppliedKey,
      });
      return { organization, token: suppliedKey ? undefined : token, created: true };
    });
  }

  /** POST /api/v1/organizations: a new organization, its Admins group and its first admin key. */
  async create(ctx: RequestContext, name: string): Promise<{ organization: Organization } & IssuedKey> {
    const { principal, requestId } = ctx;
    if (!can(principal.grant, 'orgs:create')) throw orgErrors.createNeedsPermission();
    return this.deps.db.transaction(async (tx) => {
      const result = await this.createWithAdminKey(tx, name, actorOf(principal), {
        rules: [{ role: 'admin' }],
        keyName: `${name} admin key`,
        requestId,
      });
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'org.create',
        target: `org:${result.organization.id}`,
        details: { name },
      });
      return { organization: result.organization, token: result.token, key: result.key };
    });
  }

  async get(ctx: RequestContext): Promise<Organization | undefined> {
    return findOrganization(this.deps.db, ctx.orgId);
  }

  async updatePolicy(ctx: RequestContext, patch: UpdatePolicyInput): Promise<Organization> {
    const { principal } = ctx;
    if (!can(principal.grant, 'org:admin')) throw orgErrors.policyNeedsAdmin();
    return this.deps.unitOfWork.write(async (tx, changed) => {
      const org = (await findOrganization(tx, principal.orgId))!;
      const parsed = OrgPolicy.safeParse({ ...org.policy, ...patch });
      if (!parsed.success)
        throw orgErrors.invalidPolicy(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const updated = (await updateOrganizationPolicy(tx, principal.orgId, parsed.data))!;
      changed(tag.org(principal.orgId));
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'org.policy',
        target: `org:${principal.orgId}`,
        details: patch,
      });
      return updated;
    });
  }

  private async createWithAdminKey(
    tx: Queryable,
    name: string,
    actor: Actor,
    options: { rules: GroupRule[]; keyName: string; suppliedKey?: string; requestId?: string },
  ): Promise<{ organization: Organization } & IssuedKey> {
    const now = this.deps.now();
    const organization = await insertOrganization(tx, { id: randomUUID(), name, policy: OrgPolicy.parse({}) });
    const admins = await createLocalGroup(
      tx,
      organization.id,
      { displayName: ADMINS_GROUP_NAME, description: 'Administrators of this organization', rules: options.rules },
      now,
    );
    const secret = await prepareSecret(this.deps.bcryptCost, options.suppliedKey);
    const { token, key } = await issueKey(tx, secret, {
      orgId: organization.id,
      name: options.keyName,
      description: 'Created with the organization; rotate it or create personal keys for your admins',
      kind: 'service',
      groupId: admins.id,
      ownerUserId: null,
      scim: false,
      impersonation: false,
      permissions: null,
      expiresAt: null,
      rotatedFrom: null,
      createdBy: actor,
      createdAt: now,
    });
    await recordAudit(tx, {
      orgId: organization.id,
      actor,
      requestId: options.requestId,
      action: 'org.bootstrap',
      target: `org:${organization.id}`,
      details: { name, adminsGroupId: admins.id, keyId: key.id },
    });
    return { organization, token, key };
  }
}
