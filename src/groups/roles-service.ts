import { auditedBy, recordAudit } from '../audit/audit-service.js';
import type { Db, Queryable } from '../db/db.js';
import { tag, type UnitOfWork } from '../db/unit-of-work.js';
import type { PermissionCatalogue } from '../principals/permission-catalogue.js';
import {
  PLATFORM_PERMISSIONS,
  ROLES,
  beyondCaller,
  can,
  isBuiltinRole,
  type OrgRoles,
} from '../principals/permissions.js';
import type { RequestContext } from '../principals/request-context.js';
import { roleErrors } from './groups-errors.js';
import type { CreateRoleInput, RoleView, UpdateRoleInput } from './roles.js';
import {
  deleteOrgRole,
  groupsUsingRole,
  insertOrgRole,
  listOrgRoles,
  orgRolesNamed,
  updateOrgRole,
  type RoleRow,
} from './roles-store.js';

const BUILTIN_DESCRIPTIONS: Record<string, string> = {
  admin: 'Everything in the organization',
  'key-manager': 'Manages every key of the organization; reads groups and users',
  developer: 'Reads keys and groups; manages their own personal keys',
  viewer: 'Reads everything',
};

/**
 * The organization's roles of these names, for expanding rules and the identity provider's role
 * values (principals/permissions.ts grantOf): no database round trip when every name is built-in.
 * `lock` takes the rows FOR SHARE, inside a transaction that writes rules naming them.
 */
export async function orgRolesFor(
  q: Queryable,
  orgId: string,
  names: Iterable<string>,
  lock?: 'share',
): Promise<OrgRoles | undefined> {
  const own = [...new Set(names)].filter((n) => !isBuiltinRole(n));
  if (!own.length) return undefined;
  const rows = await orgRolesNamed(q, orgId, own, lock);
  return new Map(rows.map((r) => [r.name, r.permissions]));
}

/** Every role an organization can name: the built-in ones, then its own, by name. */
export async function allRoles(q: Queryable, orgId: string): Promise<RoleView[]> {
  const builtin: RoleView[] = Object.entries(ROLES).map(([name, permissions]) => ({
    name,
    description: BUILTIN_DESCRIPTIONS[name] ?? '',
    permissions: [...permissions],
    builtin: true,
    createdAt: null,
    createdBy: null,
    updatedAt: null,
  }));
  return [...builtin, ...(await listOrgRoles(q, orgId)).map(shown)];
}

export interface RolesServiceDeps {
  db: Db;
  unitOfWork: UnitOfWork;
  permissions: PermissionCatalogue;
  now: () => Date;
}

/**
 * /api/v1/roles (issue 13): the built-in roles (read-only) and the organization's own. Reading needs
 * groups:read (roles are what group rules name); writing needs org:admin, since under the idpRoles
 * policy the identity provider may grant any role. No escalation (DESIGN §9): nobody defines or
 * changes a role to grant more than they hold (permissions.beyondCaller). A change reaches every key
 * and session of the organization at once, on every process (tag.org).
 */
export class RolesService {
  constructor(private readonly deps: RolesServiceDeps) {}

  async list(ctx: RequestContext): Promise<{ items: RoleView[]; nextCursor: null }> {
    this.require(ctx, 'groups:read');
    return { items: await allRoles(this.deps.db, ctx.orgId), nextCursor: null };
  }

  /**
   * /scim/v2/Roles: every role the identity provider may assign, for any key the SCIM adapter lets in
   * (the SCIM flag is its permission).
   */
  assignable(ctx: RequestContext): Promise<RoleView[]> {
    return allRoles(this.deps.db, ctx.orgId);
  }

  async get(ctx: RequestContext, name: string): Promise<RoleView> {
    this.require(ctx, 'groups:read');
    const found = (await allRoles(this.deps.db, ctx.orgId)).find((r) => r.name === name);
    if (!found) throw roleErrors.notFound(name);
    return found;
  }

  async create(ctx: RequestContext, input: CreateRoleInput): Promise<RoleView> {
    this.require(ctx, 'org:admin');
    if (isBuiltinRole(input.name)) throw roleErrors.builtin(input.name);
    const permissions = this.checked(ctx, input.permissions);
    return this.deps.unitOfWork.write(async (tx, changed) => {
      const row = await insertOrgRole(
        tx,
        ctx.orgId,
        { name: input.name, description: input.description ?? '', permissions },
        ctx.actor.name,
        this.deps.now(),
      );
      if (!row) throw roleErrors.taken(input.name);
      // An identity provider may already have assigned this name: the role starts granting now.
      changed(tag.org(ctx.orgId));
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'role.create',
        target: `role:${row.name}`,
        details: { name: row.name, description: row.description, permissions: row.permissions },
      });
      return shown(row);
    });
  }

  async update(ctx: RequestContext, name: string, input: UpdateRoleInput): Promise<RoleView> {
    this.require(ctx, 'org:admin');
    if (isBuiltinRole(name)) throw roleErrors.builtin(name);
    const permissions = input.permissions ? this.checked(ctx, input.permissions) : undefined;
    return this.deps.unitOfWork.write(async (tx, changed) => {
      const [old] = await orgRolesNamed(tx, ctx.orgId, [name], 'update');
      if (!old) throw roleErrors.notFound(name);
      // Taking away what the role grants is as much a change as adding to it.
      this.assertHolds(ctx, old.permissions);
      const row = await updateOrgRole(
        tx,
        ctx.orgId,
        name,
        { description: input.description ?? old.description, permissions: permissions ?? old.permissions },
        this.deps.now(),
      );
      if (!row) throw roleErrors.notFound(name);
      changed(tag.org(ctx.orgId));
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'role.update',
        target: `role:${name}`,
        details: {
          name,
          ...(input.description !== undefined ? { description: row.description } : {}),
          ...(permissions ? { permissions: row.permissions, before: old.permissions } : {}),
        },
      });
      return shown(row);
    });
  }

  /**
   * Refused (409 role_in_use, naming the groups) while a group rule names the role: removing the rules
   * silently would change what those groups grant behind their admins' backs. Users the identity
   * provider assigned the role keep the value, which then grants nothing (as any unknown value).
   */
  async delete(ctx: RequestContext, name: string): Promise<void> {
    this.require(ctx, 'org:admin');
    if (isBuiltinRole(name)) throw roleErrors.builtin(name);
    await this.deps.unitOfWork.write(async (tx, changed) => {
      const [old] = await orgRolesNamed(tx, ctx.orgId, [name], 'update');
      if (!old) throw roleErrors.notFound(name);
      this.assertHolds(ctx, old.permissions);
      const groups = await groupsUsingRole(tx, ctx.orgId, name);
      if (groups.length)
        throw roleErrors.inUse(
          name,
          groups.map((g) => ({ id: g.id, displayName: g.display_name })),
        );
      await deleteOrgRole(tx, ctx.orgId, name);
      changed(tag.org(ctx.orgId));
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'role.delete',
        target: `role:${name}`,
        details: { name, permissions: old.permissions },
      });
    });
  }

  /** Known permissions (400 naming the unknown ones), no platform permission, within the caller's grant; deduplicated. */
  private checked(ctx: RequestContext, permissions: string[]): string[] {
    this.deps.permissions.assertKnown(permissions, 'permissions');
    const platform = permissions.filter((p) => PLATFORM_PERMISSIONS.has(p));
    if (platform.length) throw roleErrors.platformPermission(platform);
    this.assertHolds(ctx, permissions);
    return [...new Set(permissions)];
  }

  private assertHolds(ctx: RequestContext, permissions: readonly string[]): void {
    const beyond = beyondCaller(
      ctx.principal.grant,
      permissions.map((permission) => ({ permission, resources: null })),
    );
    if (beyond.length) throw roleErrors.beyondCaller(beyond.map((g) => g.permission));
  }

  private require(ctx: RequestContext, permission: string): void {
    if (!can(ctx.principal.grant, permission)) throw roleErrors.needsPermission(permission);
  }
}

function shown(row: RoleRow): RoleView {
  return {
    name: row.name,
    description: row.description,
    permissions: row.permissions,
    builtin: false,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
  };
}
