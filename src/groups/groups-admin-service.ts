import { randomUUID } from 'node:crypto';
import { groupGrant } from './grants.js';
import { tag, type UnitOfWork } from '../db/unit-of-work.js';
import type { PermissionCatalogue } from '../principals/permission-catalogue.js';
import { beyondCaller, can, grantOf, permissionsOfRole, type Grant, type OrgRoles } from '../principals/permissions.js';
import { allRoles, orgRolesFor } from './roles-service.js';
import type { RequestContext } from '../principals/request-context.js';
import type { Principal } from '../principals/principal.js';
import { auditedBy, recordAudit } from '../audit/audit-service.js';
import { decodeCursor, encodeCursor } from '../db/cursor.js';
import type { Db, Queryable } from '../db/db.js';
import {
  deleteGroup,
  findGroup,
  findGroupForAdmin,
  insertGroup,
  listGroupsForAdmin,
  membersPage,
  replaceRules,
  toRule,
  updateLocalGroup,
  type AdminGroupRow,
} from './groups-store.js';
import { groupErrors } from './groups-errors.js';
import type {
  CreateGroupInput,
  GroupRule,
  GroupSource,
  ListGroupsInput,
  MembersInput,
  UpdateGroupInput,
} from './groups.js';

export interface AdminGroup {
  id: string;
  displayName: string;
  externalId: string | null;
  source: GroupSource;
  description: string;
  memberCount: number;
  parents: { id: string; displayName: string }[];
  rules: GroupRule[];
  keys: { id: string; name: string; kind: string }[];
  createdAt: string;
  updatedAt: string;
}

export interface AdminGroupDetail extends AdminGroup {
  /** What the group grants: its own rules plus those of every group it is nested in. */
  grant: Grant;
}

export interface GroupsAdminDeps {
  db: Db;
  unitOfWork: UnitOfWork;
  permissions: PermissionCatalogue;
  now: () => Date;
  /**
   * Why a rule's `when` is not a usable condition on the user (a SCIM filter over User attributes),
   * or undefined; the users domain answers with the organization's registered extensions in view
   * (app.ts wires it: users imports groups, not the reverse).
   */
  conditionProblem: (orgId: string, when: string) => Promise<string | undefined>;
}

/** Groups as admins see them: rules, local groups, the keys on each (DESIGN §5, §7). */
/**
 * A local group with its rules, inside another domain's transaction: a new organization's Admins
 * group (orgs-service), which no caller's grant bounds because nobody holds anything there yet.
 */
export async function createLocalGroup(
  q: Queryable,
  orgId: string,
  group: { displayName: string; description: string; rules: GroupRule[] },
  at: Date,
): Promise<{ id: string }> {
  const created = await insertGroup(
    q,
    orgId,
    randomUUID(),
    { displayName: group.displayName, externalId: null, source: 'local', description: group.description },
    at,
  );
  if (group.rules.length) await replaceRules(q, orgId, created.id, group.rules);
  return { id: created.id };
}

export class GroupsAdminService {
  constructor(private readonly deps: GroupsAdminDeps) {}

  async list(ctx: RequestContext, input: ListGroupsInput): Promise<{ items: AdminGroup[]; nextCursor: string | null }> {
    this.require(ctx.principal, 'groups:read');
    const limit = Math.min(Math.max(input.limit ?? 100, 1), 500);
    const rows = await listGroupsForAdmin(
      this.deps.db,
      ctx.principal.orgId,
      {
        text: input.q?.trim() || undefined,
        source: input.source,
        after: input.cursor ? positionOf(input.cursor) : undefined,
        limit: limit + 1,
      },
      this.deps.now(),
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toAdminGroup),
      nextCursor: rows.length > limit && last ? encodeCursor([last.display_name.toLowerCase(), last.id]) : null,
    };
  }

  async get(ctx: RequestContext, id: string): Promise<AdminGroupDetail> {
    this.require(ctx.principal, 'groups:read');
    return this.read(ctx.principal.orgId, id);
  }

  /** The group as it is now; a write answers with it even to a caller without groups:read. */
  private async read(orgId: string, id: string): Promise<AdminGroupDetail> {
    const row = await findGroupForAdmin(this.deps.db, orgId, id, this.deps.now());
    if (!row) throw groupErrors.notFound(id);
    return { ...toAdminGroup(row), grant: await groupGrant(this.deps.db, orgId, id) };
  }

  async members(ctx: RequestContext, id: string, input: MembersInput) {
    this.require(ctx.principal, 'groups:read');
    if (!(await findGroup(this.deps.db, ctx.principal.orgId, id))) throw groupErrors.notFound(id);
    const limit = Math.min(Math.max(input.limit ?? 100, 1), 1000);
    const rows = await membersPage(this.deps.db, ctx.principal.orgId, id, input.cursor, limit + 1);
    const page = rows.slice(0, limit);
    return {
      items: page.map((m) => ({ id: m.id, type: m.type, name: m.name, displayName: m.display_name, active: m.active })),
      nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
    };
  }

  /**
   * Replaces a group's rules. Every key scoped to the group (or to a group nested in it) picks the
   * change up at once. Without org:admin a caller may only grant what it holds itself.
   */
  async setRules(ctx: RequestContext, id: string, rules: GroupRule[]): Promise<AdminGroupDetail> {
    const p = ctx.principal;
    this.require(p, 'groups:write');
    await this.validateRules(p.orgId, rules);
    await this.deps.unitOfWork.write(async (tx, changed) => {
      assertDelegable(p, rules, await rolesOfRules(tx, p.orgId, rules));
      // FOR NO KEY UPDATE: a nesting in flight holds this row FOR KEY SHARE (see groups-service).
      const group = await findGroup(tx, p.orgId, id, { forChange: true });
      if (!group) throw groupErrors.notFound(id);
      // What the group grants before and after (its inherited rules included): the caller takes away
      // the one and hands out the other, so it must hold both (DESIGN §9).
      assertHolds(p, await groupGrant(tx, p.orgId, id));
      await replaceRules(tx, p.orgId, id, rules);
      assertHolds(p, await groupGrant(tx, p.orgId, id));
      changed(tag.group(id));
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'group.rules',
        target: `group:${id}`,
        details: { displayName: group.displayName, rules },
      });
    });
    return this.read(p.orgId, id);
  }

  /** A group keyscope owns (not synced from the identity provider), for service keys and rules. */
  async createLocal(ctx: RequestContext, input: CreateGroupInput): Promise<AdminGroupDetail> {
    const p = ctx.principal;
    this.require(p, 'groups:write');
    if (input.rules) await this.validateRules(p.orgId, input.rules);
    const { id } = await this.deps.unitOfWork.write(async (tx) => {
      if (input.rules) assertDelegable(p, input.rules, await rolesOfRules(tx, p.orgId, input.rules));
      const created = await createLocalGroup(
        tx,
        p.orgId,
        { displayName: input.displayName, description: input.description ?? '', rules: input.rules ?? [] },
        this.deps.now(),
      );
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'group.create',
        target: `group:${created.id}`,
        details: { displayName: input.displayName, source: 'local', rules: input.rules ?? [] },
      });
      return created;
    });
    return this.read(p.orgId, id);
  }

  async updateLocal(ctx: RequestContext, id: string, input: UpdateGroupInput): Promise<AdminGroupDetail> {
    const p = ctx.principal;
    this.require(p, 'groups:write');
    await this.deps.unitOfWork.write(async (tx, changed) => {
      const group = await findGroup(tx, p.orgId, id, { forUpdate: true });
      if (!group) throw groupErrors.notFound(id);
      if (group.source !== 'local') throw groupErrors.scimManaged();
      assertHolds(p, await groupGrant(tx, p.orgId, id));
      await updateLocalGroup(tx, p.orgId, id, input, this.deps.now());
      changed(tag.group(id));
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'group.update',
        target: `group:${id}`,
        details: input,
      });
    });
    return this.read(p.orgId, id);
  }

  /** Local groups only: the identity provider owns the groups it syncs. Keys on the group become suspended. */
  async deleteLocal(ctx: RequestContext, id: string): Promise<void> {
    const p = ctx.principal;
    this.require(p, 'groups:write');
    await this.deps.unitOfWork.write(async (tx, changed) => {
      const group = await findGroup(tx, p.orgId, id, { forUpdate: true });
      if (!group) throw groupErrors.notFound(id);
      if (group.source !== 'local') throw groupErrors.scimManaged();
      if (p.groupId === id) throw groupErrors.deletesOwnGroup();
      // Deleting takes away everything the group grants, from its keys and the groups nested in it.
      assertHolds(p, await groupGrant(tx, p.orgId, id));
      await deleteGroup(tx, p.orgId, id, this.deps.now());
      changed(tag.group(id));
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'group.delete',
        target: `group:${id}`,
        details: { displayName: group.displayName, source: 'local' },
      });
    });
  }

  /**
   * Known permissions, and conditions the organization's users can be asked (its registered extensions
   * included); a role's existence is checked in the write (rolesOfRules).
   */
  private async validateRules(orgId: string, rules: GroupRule[]): Promise<void> {
    for (const [i, rule] of rules.entries()) {
      if (rule.permission !== undefined) this.deps.permissions.assertKnown([rule.permission], `rules.${i}.permission`);
      if (rule.when !== undefined) {
        const problem = await this.deps.conditionProblem(orgId, rule.when);
        if (problem) throw groupErrors.invalidCondition(i, problem);
      }
    }
  }

  private require(p: Principal, permission: string): void {
    if (!can(p.grant, permission)) throw groupErrors.needsPermission(permission);
  }
}

/**
 * The organization's roles these rules name, taken FOR SHARE until the write commits (a role is not
 * deleted under a rule being written: roles-service deletes FOR UPDATE, then looks for rules naming it).
 * A name that is neither built-in nor the organization's is refused with 400, listing what exists.
 */
async function rolesOfRules(tx: Queryable, orgId: string, rules: GroupRule[]): Promise<OrgRoles | undefined> {
  const orgRoles = await orgRolesFor(
    tx,
    orgId,
    rules.flatMap((r) => (r.role !== undefined ? [r.role] : [])),
    'share',
  );
  const i = rules.findIndex((r) => r.role !== undefined && permissionsOfRole(r.role, orgRoles) === undefined);
  if (i >= 0) {
    const names = (await allRoles(tx, orgId)).map((r) => r.name);
    throw groupErrors.unknownRole(i, rules[i]!.role!, names);
  }
  return orgRoles;
}

/** Rules may grant only what the caller could hand to a key itself (permissions.beyondCaller). */
function assertDelegable(p: Principal, rules: GroupRule[], orgRoles: OrgRoles | undefined): void {
  const beyond = beyondCaller(p.grant, grantOf(rules, orgRoles));
  if (beyond.length) throw groupErrors.rulesBeyondCaller(beyond.map((g) => g.permission));
}

/**
 * Changing a group that grants more than the caller holds needs org:admin: otherwise a groups:write
 * key could strip or delete the Admins group and lock every admin out (issue 9).
 */
function assertHolds(p: Principal, groupGrants: Grant): void {
  const beyond = beyondCaller(p.grant, groupGrants);
  if (beyond.length)
    throw groupErrors.changeBeyondCaller(
      beyond.map((g) => g.permission + (g.resources ? ` on ${g.resources.join(', ')}` : '')),
    );
}

function toAdminGroup(row: AdminGroupRow): AdminGroup {
  return {
    id: row.id,
    displayName: row.display_name,
    externalId: row.external_id,
    source: row.source,
    description: row.description,
    memberCount: row.member_count,
    parents: row.parents,
    rules: row.rules.map(toRule),
    keys: row.keys,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function positionOf(cursor: string): { name: string; id: string } {
  const position = decodeCursor(cursor);
  if (!Array.isArray(position)) throw groupErrors.invalidCursor();
  const [name, id] = position as unknown[];
  if (typeof name !== 'string' || typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id))
    throw groupErrors.invalidCursor();
  return { name, id };
}
