import { randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';
import { tag, type UnitOfWork } from '../db/unit-of-work.js';
import { can } from '../principals/permissions.js';
import { actorOf, type Principal } from '../principals/principal.js';
import { SYSTEM_ACTOR, type Actor } from '../principals/actor.js';
import { recordAudit } from '../audit/audit-service.js';
import type { Db, Queryable } from '../db/db.js';
import { insertGroup, replaceRules } from '../groups/groups-store.js';
import type { GroupRule } from '../groups/groups.js';
import { findKey, insertKey } from '../keys/keys-store.js';
import { toApiKey, type IssuedKey } from '../keys/keys-service.js';
import { bootstrapSecret, fragmentOf, issueToken } from '../principals/token.js';
import { orgErrors } from './orgs-errors.js';
import { countOrganizations, findOrganization, insertOrganization, updateOrganizationPolicy } from './orgs-store.js';
import { ADMINS_GROUP_NAME, DEFAULT_ORG_NAME, OrgPolicy, type Organization } from './orgs.js';

export interface OrgsServiceDeps {
  db: Db;
  unitOfWork: UnitOfWork;
  bcryptCost: number;
  now: () => Date;
}

/** Advisory lock id: keeps two processes starting at once from bootstrapping twice. */
const BOOTSTRAP_LOCK = 7_261_002;

export interface BootstrapResult {
  organization: Organization;
  /** The bootstrap key's value when keyscope generated it (print once); undefined when supplied or already done. */
  token?: string;
  created: boolean;
}

export class OrgsService {
  constructor(private readonly deps: OrgsServiceDeps) {}

  /**
   * First start on an empty database (DESIGN §7): organization `default`, group `Admins` (role admin,
   * plus orgs:create, which no wildcard grants) and an admin key. `suppliedKey` (BOOTSTRAP_ADMIN_KEY)
   * becomes that key's value instead of a generated one; only its hash is stored.
   */
  async bootstrap(suppliedKey?: string): Promise<BootstrapResult> {
    return this.deps.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
      if ((await countOrganizations(tx)) > 0) {
        const { rows } = await tx.query<{ id: string }>('SELECT id FROM organizations ORDER BY created_at LIMIT 1');
        return { organization: (await findOrganization(tx, rows[0]!.id))!, created: false };
      }
      const { organization, token } = await this.createWithAdminKey(tx, DEFAULT_ORG_NAME, SYSTEM_ACTOR, {
        rules: [{ role: 'admin' }, { permission: 'orgs:create' }],
        keyName: 'Bootstrap admin key',
        suppliedKey,
      });
      return { organization, token: suppliedKey ? undefined : token, created: true };
    });
  }

  /** POST /api/v1/organizations: a new organization, its Admins group and its first admin key. */
  async create(principal: Principal, name: string, requestId?: string): Promise<{ organization: Organization } & IssuedKey> {
    if (!can(principal.grant, 'orgs:create')) throw orgErrors.createNeedsPermission();
    return this.deps.db.transaction(async (tx) => {
      const result = await this.createWithAdminKey(tx, name, actorOf(principal), { rules: [{ role: 'admin' }], keyName: `${name} admin key`, requestId });
      await recordAudit(tx, { orgId: principal.orgId, actor: actorOf(principal), requestId, action: 'org.create', target: `org:${result.organization.id}`, details: { name } });
      return { organization: result.organization, token: result.token, key: result.key };
    });
  }

  async get(orgId: string): Promise<Organization | undefined> {
    return findOrganization(this.deps.db, orgId);
  }

  async updatePolicy(principal: Principal, patch: Partial<OrgPolicy>, requestId?: string): Promise<Organization> {
    if (!can(principal.grant, 'org:admin')) throw orgErrors.policyNeedsAdmin();
    return this.deps.unitOfWork.write(async (tx, changed) => {
      const org = (await findOrganization(tx, principal.orgId))!;
      const parsed = OrgPolicy.safeParse({ ...org.policy, ...patch });
      if (!parsed.success) throw orgErrors.invalidPolicy(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const updated = (await updateOrganizationPolicy(tx, principal.orgId, parsed.data))!;
      changed(tag.org(principal.orgId));
      await recordAudit(tx, { orgId: principal.orgId, actor: actorOf(principal), requestId, action: 'org.policy', target: `org:${principal.orgId}`, details: patch });
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
    const admins = await insertGroup(tx, organization.id, randomUUID(), { displayName: ADMINS_GROUP_NAME, externalId: null, source: 'local', description: 'Administrators of this organization' }, now);
    await replaceRules(tx, organization.id, admins.id, options.rules);
    const issued = issueToken();
    const token = options.suppliedKey ?? issued.token;
    await insertKey(tx, {
      orgId: organization.id,
      id: issued.keyId,
      name: options.keyName,
      description: 'Created with the organization; rotate it or create personal keys for your admins',
      kind: 'service',
      groupId: admins.id,
      ownerUserId: null,
      scim: false,
      permissions: null,
      secretHash: await bcrypt.hash(options.suppliedKey ? bootstrapSecret(options.suppliedKey) : issued.secret, this.deps.bcryptCost),
      fragment: options.suppliedKey ? fragmentOf(options.suppliedKey, undefined) : fragmentOf(issued.token, issued.keyId),
      bootstrap: options.suppliedKey !== undefined,
      expiresAt: null,
      rotatedFrom: null,
      createdBy: actor,
      createdAt: now,
    });
    await recordAudit(tx, { orgId: organization.id, actor, requestId: options.requestId, action: 'org.bootstrap', target: `org:${organization.id}`, details: { name, adminsGroupId: admins.id, keyId: issued.keyId } });
    const key = toApiKey((await findKey(tx, organization.id, issued.keyId, now))!);
    return { organization, token, key };
  }
}
