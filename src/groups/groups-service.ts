import { randomUUID } from 'node:crypto';
import { tag, type MarkChanged, type UnitOfWork } from '../db/unit-of-work.js';
import type { Precondition } from '../audit/audit.js';
import type { RequestContext } from '../principals/request-context.js';
import { auditedBy, recordAudit } from '../audit/audit-service.js';
import type { Db, Queryable } from '../db/db.js';
import type { ListResult, ListSource } from '../db/list-sql.js';
import { preconditionFailed } from '../errors/domain-error.js';
import { groupErrors } from './groups-errors.js';
import type { FilterNode } from '../schema/filter-ast.js';
import {
  addMembers,
  classifyMembers,
  classifyUsersUnlessGroups,
  deleteGroup,
  findGroup,
  findGroupsBy,
  findGroupsByIds,
  groupLookup,
  insertGroup,
  leaveAllGroups as leaveAll,
  listGroups,
  lockNesting,
  removeAllMembers,
  removeMembers,
  removeMembersNotIn,
  removeMembersWhere,
  scimGroupListSource,
  touchGroup,
  updateGroup,
  wouldCreateCycle,
  type GroupListQuery,
  type GroupLookupColumn,
} from './groups-store.js';
import { BatchLoader } from '../db/batch-loader.js';
import { isUuid } from '../db/uuid.js';
import type { GroupRecord, MemberType, NewMember } from './groups.js';

export interface MemberInput {
  value: string;
  display: string | null;
}

/** One step of a group change, applied in order inside one transaction. */
export type GroupChange =
  | { kind: 'setDisplayName'; value: string }
  | { kind: 'setExternalId'; value: string | null }
  | { kind: 'addMembers'; members: MemberInput[] }
  | { kind: 'removeMembers'; ids: string[] }
  | { kind: 'removeMembersWhere'; filter: FilterNode }
  | { kind: 'removeAllMembers' }
  | { kind: 'replaceMembers'; members: MemberInput[] };

export interface GroupsServiceDeps {
  db: Db;
  unitOfWork: UnitOfWork;
  now: () => Date;
}

const AUDITED_IDS = 50;

/**
 * Groups as the identity provider pushes them. Membership changes are deltas: each costs
 * O(members in the request), whatever the group's size, and runs under the group's row lock so
 * concurrent changes to one group all land.
 */
/** A group of the organization, read inside another domain's transaction (keys-service checks a key's group). */
export function groupById(q: Queryable, orgId: string, id: string): Promise<GroupRecord | undefined> {
  return findGroup(q, orgId, id);
}

/**
 * Takes a user out of every group, in another domain's transaction (users-service deletes it next).
 * The caller holds the user's row FOR UPDATE (lock order: groups-store leaveAllGroups).
 */
export function leaveAllGroups(q: Queryable, orgId: string, memberId: string, at: Date): Promise<string[]> {
  return leaveAll(q, orgId, memberId, at);
}

/** The identity provider's groups, for a list across resource types that another domain runs. */
export function scimGroupsSource(): ListSource {
  return scimGroupListSource;
}

/** SCIM groups by id, read by another domain (a list across resource types loads what it found). */
export function scimGroupsByIds(
  q: Queryable,
  orgId: string,
  ids: string[],
  withMembers: boolean,
): Promise<Map<string, GroupRecord>> {
  return findGroupsByIds(q, orgId, ids, { withMembers, source: 'scim' });
}

export class GroupsService {
  // Point reads are batched across concurrent requests (db/batch-loader.ts).
  private readonly byId: BatchLoader<string, GroupRecord>;
  private readonly byKey: BatchLoader<string, { rows: GroupRecord[]; total: number }>;

  constructor(private readonly deps: GroupsServiceDeps) {
    this.byId = new BatchLoader((scope, ids) => {
      const [orgId, members] = scope.split('|') as [string, string];
      return findGroupsByIds(deps.db, orgId, ids, { withMembers: members === 'm', source: 'scim' });
    });
    this.byKey = new BatchLoader((scope, values) => {
      const [orgId, column, members, limit] = scope.split('|') as [string, GroupLookupColumn, string, string];
      return findGroupsBy(deps.db, orgId, column, values, { withMembers: members === 'm', limit: Number(limit) });
    });
  }

  get(ctx: RequestContext, id: string, options: { withMembers?: boolean } = {}): Promise<GroupRecord | undefined> {
    if (!isUuid(id)) return Promise.resolve(undefined);
    return this.byId.get(`${ctx.orgId}|${options.withMembers ? 'm' : '-'}`, id.toLowerCase());
  }

  async list(ctx: RequestContext, query: Omit<GroupListQuery, 'source'>): Promise<ListResult<GroupRecord>> {
    const lookup = groupLookup(query.filter);
    if (lookup && !query.sort && !query.window.after && !query.window.offset && query.window.limit > 0) {
      const scope = `${ctx.orgId}|${lookup.column}|${query.withMembers ? 'm' : '-'}|${query.window.limit}`;
      return (await this.byKey.get(scope, lookup.value)) ?? { rows: [], total: 0 };
    }
    return listGroups(this.deps.db, ctx.orgId, { ...query, source: 'scim' });
  }

  create(
    ctx: RequestContext,
    input: { displayName: string; externalId: string | null; members: MemberInput[] },
  ): Promise<GroupRecord> {
    return this.deps.unitOfWork.write(async (tx, changed) => {
      const at = this.deps.now();
      // Members first, as in change() (the new group's row is seen by nobody else).
      const types = await this.lockMembers(tx, ctx.orgId, input.members);
      const group = await insertGroup(
        tx,
        ctx.orgId,
        randomUUID(),
        { displayName: input.displayName, externalId: input.externalId, source: 'scim' },
        at,
      );
      const members = await this.validMembers(tx, ctx.orgId, group.id, input.members, types);
      const added = await addMembers(tx, ctx.orgId, group.id, members);
      markMembers(changed, added);
      const created = added.length
        ? (await touchGroup(tx, ctx.orgId, group.id, added.length, at, { newVersion: false }))!
        : group;
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'group.create',
        target: `group:${group.id}`,
        details: { displayName: group.displayName, ...memberDetails(added, []) },
      });
      return created;
    });
  }

  /** Applies `changes` in order. Returns the group after them (unchanged when they changed nothing). */
  change(ctx: RequestContext, id: string, changes: GroupChange[], precondition?: Precondition): Promise<GroupRecord> {
    return this.deps.unitOfWork.write(async (tx, changed) => {
      const types = await this.lockMembers(
        tx,
        ctx.orgId,
        changes.flatMap((c) => (c.kind === 'addMembers' || c.kind === 'replaceMembers' ? c.members : [])),
      );
      const current = await findGroup(tx, ctx.orgId, id, { forChange: true, source: 'scim' });
      if (!current) throw groupErrors.notFound(id);
      if (precondition && !precondition(current.version)) throw preconditionFailed();
      let displayName = current.displayName;
      let externalId = current.externalId;
      const added: NewMember[] = [];
      const removed: { id: string; type: MemberType }[] = [];
      for (const c of changes) {
        switch (c.kind) {
          case 'setDisplayName':
            displayName = c.value;
            break;
          case 'setExternalId':
            externalId = c.value;
            break;
          case 'addMembers':
            added.push(
              ...(await addMembers(tx, ctx.orgId, id, await this.validMembers(tx, ctx.orgId, id, c.members, types))),
            );
            break;
          case 'removeMembers':
            removed.push(...(await removeMembers(tx, ctx.orgId, id, c.ids)));
            break;
          case 'removeMembersWhere':
            removed.push(...(await removeMembersWhere(tx, ctx.orgId, id, c.filter)));
            break;
          case 'removeAllMembers':
            removed.push(...(await removeAllMembers(tx, ctx.orgId, id)));
            break;
          case 'replaceMembers': {
            const members = await this.validMembers(tx, ctx.orgId, id, c.members, types);
            removed.push(
              ...(await removeMembersNotIn(
                tx,
                ctx.orgId,
                id,
                members.map((m) => m.id),
              )),
            );
            added.push(...(await addMembers(tx, ctx.orgId, id, members)));
            break;
          }
        }
      }
      const renamed = displayName !== current.displayName;
      const fieldsChanged = renamed || externalId !== current.externalId;
      // A member added then removed in one request counts once each way; only the balance matters.
      const delta = added.length - removed.length;
      if (!fieldsChanged && !added.length && !removed.length) return current;
      let group = fieldsChanged
        ? (await updateGroup(tx, ctx.orgId, id, { displayName, externalId }, this.deps.now()))!
        : current;
      if (added.length || removed.length) {
        group = (await touchGroup(tx, ctx.orgId, id, delta, this.deps.now(), { newVersion: !fieldsChanged }))!;
      }
      if (renamed) changed(tag.group(id));
      markMembers(changed, [...added, ...removed]);
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'group.update',
        target: `group:${id}`,
        details: {
          ...(renamed ? { displayName: { from: current.displayName, to: displayName } } : {}),
          ...(externalId !== current.externalId ? { externalId } : {}),
          ...memberDetails(added, removed),
        },
      });
      return group;
    });
  }

  delete(ctx: RequestContext, id: string, precondition?: Precondition): Promise<void> {
    return this.deps.unitOfWork.write(async (tx, changed) => {
      // The nesting lock, then this group FOR UPDATE, then the groups it leaves (see lockMembers).
      await lockNesting(tx, ctx.orgId);
      const current = await findGroup(tx, ctx.orgId, id, { forUpdate: true, source: 'scim' });
      if (!current) throw groupErrors.notFound(id);
      if (precondition && !precondition(current.version)) throw preconditionFailed();
      await deleteGroup(tx, ctx.orgId, id, this.deps.now());
      changed(tag.group(id));
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'group.delete',
        target: `group:${id}`,
        details: { displayName: current.displayName },
      });
    });
  }

  /**
   * Locks the members a change adds and says what each is. Every membership write locks in this
   * order, so none waits for another in a circle:
   * 1. the organization's nesting lock, when a group is among the members, and always to delete a
   *    group (a cycle check must see every nesting committed before it);
   * 2. the members, FOR KEY SHARE; a user or group being deleted, FOR UPDATE (so a delete waits for
   *    an addition of its row to commit, or the addition finds the row gone);
   * 3. the group changed, FOR NO KEY UPDATE; a delete's former groups, in id order.
   * Adding users takes only 2 and 3, in one statement each.
   */
  private async lockMembers(tx: Queryable, orgId: string, members: MemberInput[]): Promise<Map<string, MemberType>> {
    const ids = members.map((m) => m.value);
    const users = await classifyUsersUnlessGroups(tx, orgId, ids);
    if (users) return users;
    await lockNesting(tx, orgId);
    return classifyMembers(tx, orgId, ids);
  }

  /**
   * Members must be users or SCIM groups of this organization (400 invalidValue otherwise), and a
   * nested group may not contain this group (400 invalidValue: a cycle). `types` is what
   * classifyMembers found, and locked, for them.
   */
  private async validMembers(
    tx: Queryable,
    orgId: string,
    groupId: string,
    inputs: MemberInput[],
    types: Map<string, MemberType>,
  ): Promise<NewMember[]> {
    if (!inputs.length) return [];
    const byId = new Map<string, MemberInput>();
    for (const m of inputs) byId.set(m.value.toLowerCase(), m);
    const unknown = [...byId.keys()].filter((id) => !types.has(id));
    if (unknown.length) {
      const shown = unknown
        .slice(0, 5)
        .map((id) => `"${byId.get(id)!.value}"`)
        .join(', ');
      throw groupErrors.unknownMembers(shown, unknown.length - 5, unknown.length);
    }
    const groups = [...byId.keys()].filter((id) => types.get(id) === 'Group');
    const cycle = await wouldCreateCycle(tx, orgId, groupId, groups);
    if (cycle) throw groupErrors.cycle(cycle);
    return [...byId].map(([id, m]) => ({ id, type: types.get(id)!, display: m.display }));
  }
}

function markMembers(changed: MarkChanged, members: { id: string; type: MemberType }[]): void {
  for (const m of members) changed(m.type === 'User' ? tag.user(m.id) : tag.group(m.id));
}

function memberDetails(added: { id: string }[], removed: { id: string }[]): Record<string, unknown> {
  return {
    ...(added.length ? { membersAdded: added.length, added: added.slice(0, AUDITED_IDS).map((m) => m.id) } : {}),
    ...(removed.length
      ? { membersRemoved: removed.length, removed: removed.slice(0, AUDITED_IDS).map((m) => m.id) }
      : {}),
  };
}
