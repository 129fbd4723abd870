import { randomUUID } from 'node:crypto';
import { tag, type UnitOfWork } from '../db/unit-of-work.js';
import type { Precondition } from '../audit/audit.js';
import { auditedBy, recordAudit } from '../audit/audit-service.js';
import { leaveAllGroups, scimGroupsByIds, scimGroupsSource } from '../groups/groups-service.js';
import type { GroupRecord } from '../groups/groups.js';
import { decodeCursor, encodeCursor } from '../db/cursor.js';
import type { Db, Queryable } from '../db/db.js';
import { can } from '../principals/permissions.js';
import type { RequestContext } from '../principals/request-context.js';
import { listAcross, type ListResult, type ListWindow } from '../db/list-sql.js';
import type { FilterNode } from '../schema/filter-ast.js';
import { userCatalogueWith, type ResourceCatalogue } from '../schema/catalogue.js';
import { extensionFromDocument } from '../schema/extension-schema.js';
import { listScimSchemas } from './scim-schemas-store.js';
import { preconditionFailed } from '../errors/domain-error.js';
import { userErrors } from './users-errors.js';
import { BatchLoader } from '../db/batch-loader.js';
import { isUuid } from '../db/uuid.js';
import { userGrant, userGrantSources } from '../groups/grants.js';
import { orgRolesFor } from '../groups/roles-service.js';
import {
  assignedValue,
  idpAssignmentsOf,
  idpGrant,
  idpGrantEntries,
  unionGrant,
  type IdpVocabulary,
  type SourcedGrantEntry,
} from '../principals/idp-grant.js';
import type { Grant } from '../principals/permissions.js';
import { parseFilter } from '../schema/filter-parser.js';
import { DomainError } from '../errors/domain-error.js';
import {
  deleteUser,
  findUser,
  findUsersBy,
  findUsersByIds,
  insertUser,
  listUsers,
  searchUsers,
  updateUser,
  userListSource,
  userLookup,
  findUsersForSignIn,
  type SignInAttribute,
  type UserListQuery,
  type UserLookupColumn,
  checkUserFilter,
  userMatches,
} from './users-store.js';
import type { IdpAssignmentView, ListUsersInput, UserDetail, UserFields, UserRecord } from './users.js';

export type { SignInAttribute } from './users-store.js';

export interface UsersServiceDeps {
  db: Db;
  unitOfWork: UnitOfWork;
  now: () => Date;
  /** What the identity provider's roles and entitlements may name. */
  vocabulary: IdpVocabulary;
  /** Whether they grant: the organization's idpRoles policy (orgs/ owns it; wired in app.ts). */
  idpRoles: (q: Queryable, orgId: string) => Promise<boolean>;
}

/**
 * Provisioned users: every write is one transaction with its audit event and its cache invalidation.
 * Point reads (by id, and the eq lookups identity providers make) are batched across concurrent
 * requests; they read committed data exactly as a lone query would.
 */
/** A user of the organization, read inside another domain's transaction (keys-service checks a key's owner). */
/**
 * Why a rule's condition on the user (issue 13) cannot be used, or undefined when it can: it must
 * parse as a SCIM filter and name only User attributes, exactly as `GET /Users?filter=` would accept,
 * the organization's registered extensions (`cat`) included.
 */
export function userConditionProblem(text: string, cat?: ResourceCatalogue): string | undefined {
  try {
    checkUserFilter(parseFilter(text), cat);
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error.message;
    throw error;
  }
}

/**
 * Whether each condition holds for this user now, on the database's data: the answer `GET /Users?filter=`
 * gives. A condition that no longer parses (or a failing query) holds for nobody: fail closed.
 */
export async function userConditionsHold(
  q: Queryable,
  orgId: string,
  userId: string,
  conditions: readonly string[],
): Promise<boolean[]> {
  const check = (cat?: ResourceCatalogue) =>
    conditions.map((text) => {
      try {
        const filter = parseFilter(text);
        checkUserFilter(filter, cat);
        return filter;
      } catch {
        return undefined;
      }
    });
  let parsed = check();
  let cat: ResourceCatalogue | undefined;
  // A condition may name the organization's registered extensions: read them (from the database, in
  // this transaction) only when a condition needs more than the built-in User schema.
  if (parsed.includes(undefined)) {
    cat = await organizationUserCatalogue(q, orgId);
    parsed = check(cat);
  }
  const usable = parsed.filter((f): f is FilterNode => f !== undefined);
  let answers: boolean[];
  try {
    answers = await userMatches(q, orgId, userId, usable, cat);
  } catch {
    // One condition the database refuses must not take the others (or the key) down with it.
    answers = await Promise.all(
      usable.map((f) =>
        userMatches(q, orgId, userId, [f], cat).then(
          (a) => a[0]!,
          () => false,
        ),
      ),
    );
  }
  let next = 0;
  return parsed.map((f) => (f === undefined ? false : answers[next++]!));
}

/** The organization's User catalogue: the built-in schemas and its registered extensions. */
async function organizationUserCatalogue(q: Queryable, orgId: string): Promise<ResourceCatalogue> {
  const rows = await listScimSchemas(q, orgId);
  return userCatalogueWith(
    rows.map((r) => extensionFromDocument(r.document)).map((x) => ({ id: x.id, attributes: x.attributes })),
  );
}

export function userById(q: Queryable, orgId: string, id: string): Promise<UserRecord | undefined> {
  return findUser(q, orgId, id);
}

/**
 * What the identity provider's roles and entitlements grant this user (principals/idp-grant.ts)
 * while the organization's idpRoles policy is on; nothing when it is off or the user is unknown.
 */
export async function userIdpGrant(
  q: Queryable,
  orgId: string,
  userId: string,
  options: { idpRoles: boolean; vocabulary: IdpVocabulary },
): Promise<Grant> {
  if (!options.idpRoles) return [];
  const user = await findUser(q, orgId, userId);
  return user ? userIdpGrantOf(q, orgId, user.attributes, options) : [];
}

/**
 * What a stored user document's roles and entitlements grant under the policy: built-in roles, and
 * the organization's own (groups/ roles-service), loaded only when a value names one.
 */
export async function userIdpGrantOf(
  q: Queryable,
  orgId: string,
  attributes: Record<string, unknown>,
  options: { idpRoles: boolean; vocabulary: IdpVocabulary },
): Promise<Grant> {
  if (!options.idpRoles) return [];
  const assignments = idpAssignmentsOf(attributes);
  const orgRoles = await orgRolesFor(q, orgId, assignments.roles);
  return idpGrant(assignments, options.vocabulary, true, orgRoles);
}

/**
 * What a person holds (DESIGN §5): the union over their groups' rules and, under the idpRoles
 * policy, what the identity provider's roles and entitlements grant. A personal key of theirs
 * (not narrowed to a group) holds this, narrowed by the key's own permissions.
 */
export async function personGrant(
  q: Queryable,
  orgId: string,
  userId: string,
  options: { idpRoles: boolean; vocabulary: IdpVocabulary },
): Promise<Grant> {
  const [groups, idp] = await Promise.all([userGrant(q, orgId, userId), userIdpGrant(q, orgId, userId, options)]);
  return unionGrant(groups, idp);
}

/** A user by id, else by userName (case-insensitive): the requested_subject of a token exchange (tokens/). */
export async function userByIdOrName(q: Queryable, orgId: string, idOrName: string): Promise<UserRecord | undefined> {
  const byId = await findUser(q, orgId, idOrName);
  if (byId) return byId;
  const found = (await findUsersBy(q, orgId, 'user_name', [idOrName], { withGroups: false, limit: 2 })).get(idOrName);
  return found?.total === 1 ? found.rows[0] : undefined;
}

/** The users a sign-in's claim names (sessions/): at most two, so the caller can refuse an ambiguous match. */
export function usersForSignIn(
  q: Queryable,
  orgId: string,
  attribute: SignInAttribute,
  value: string,
): Promise<UserRecord[]> {
  return findUsersForSignIn(q, orgId, attribute, value);
}

/** A resource found by a search across resource types. */
export type DirectoryEntry =
  | { resourceType: 'User'; id: string; createdAt: Date; user: UserRecord }
  | { resourceType: 'Group'; id: string; createdAt: Date; group: GroupRecord };

export interface DirectoryQuery {
  filter?: FilterNode;
  sort?: { path: string; descending: boolean };
  window: ListWindow;
  withGroups: boolean;
  withMembers: boolean;
  /** The organization's User catalogue (registered extensions); the built-in one when absent. */
  catalogue?: ResourceCatalogue;
}

export class UsersService {
  private readonly byId: BatchLoader<string, UserRecord>;
  private readonly byKey: BatchLoader<string, { rows: UserRecord[]; total: number }>;

  constructor(private readonly deps: UsersServiceDeps) {
    this.byId = new BatchLoader((scope, ids) => {
      const [orgId, groups] = scope.split('|') as [string, string];
      return findUsersByIds(deps.db, orgId, ids, groups === 'g');
    });
    this.byKey = new BatchLoader((scope, values) => {
      const [orgId, column, groups, limit] = scope.split('|') as [string, UserLookupColumn, string, string];
      return findUsersBy(deps.db, orgId, column, values, { withGroups: groups === 'g', limit: Number(limit) });
    });
  }
  /** GET /api/v1/users: the provisioned users, by name, read-only (the identity provider writes them). */
  async listForAdmin(ctx: RequestContext, input: ListUsersInput) {
    if (!can(ctx.principal.grant, 'users:read')) throw userErrors.needsPermission('users:read');
    const limit = input.limit ?? 50;
    const rows = await searchUsers(this.deps.db, ctx.orgId, {
      text: input.q?.trim() || undefined,
      after: input.cursor ? adminCursorPosition(input.cursor) : undefined,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((u) => ({
        id: u.id,
        userName: u.user_name,
        displayName: u.display_name,
        externalId: u.external_id,
        active: u.active,
        groups: u.groups,
      })),
      nextCursor: rows.length > limit && last ? encodeCursor([last.user_name.toLowerCase(), last.id]) : null,
    };
  }

  /**
   * GET /api/v1/users/:id: the user, the groups it is in (directly or through nesting), the roles
   * and entitlements the identity provider assigned it (each marked known or not, granting or not),
   * and where each entry of its grant comes from.
   */
  async getForAdmin(ctx: RequestContext, id: string): Promise<UserDetail> {
    if (!can(ctx.principal.grant, 'users:read')) throw userErrors.needsPermission('users:read');
    const { db, vocabulary } = this.deps;
    const user = isUuid(id) ? await findUser(db, ctx.orgId, id, { withGroups: true }) : undefined;
    if (!user) throw userErrors.notFound(id);
    const [idpRoles, sourced] = await Promise.all([
      this.deps.idpRoles(db, ctx.orgId),
      userGrantSources(db, ctx.orgId, user.id),
    ]);
    // Conditional rules (issue 13), evaluated for this user now as a key of theirs would be.
    const conditions = [
      ...new Set(sourced.flatMap((e) => (e.source.type === 'group' && e.source.when ? [e.source.when] : []))),
    ];
    const answers = conditions.length ? await userConditionsHold(db, ctx.orgId, user.id, conditions) : [];
    const holds = new Map(conditions.map((c, i) => [c, answers[i] === true]));
    const marked = sourced.map((e) =>
      e.source.type === 'group' && e.source.when !== undefined
        ? { ...e, source: { ...e.source, holds: holds.get(e.source.when) === true } }
        : e,
    );
    const held = (e: SourcedGrantEntry) => e.source.type !== 'group' || e.source.holds !== false;
    const fromGroups = marked.filter(held);
    const assignments = idpAssignmentsOf(user.attributes);
    const orgRoles = await orgRolesFor(db, ctx.orgId, assignments.roles);
    const fromIdp = idpRoles ? idpGrantEntries(assignments, vocabulary, orgRoles) : [];
    const view = (attribute: unknown, isKnown: (value: string) => boolean): IdpAssignmentView[] =>
      (Array.isArray(attribute) ? attribute : []).flatMap((element: unknown) => {
        if (element === null || typeof element !== 'object') return [];
        const { value, display, type, primary } = element as Record<string, unknown>;
        if (typeof value !== 'string') return [];
        const names = assignedValue(value);
        const known = isKnown(names);
        return [
          {
            value,
            ...(names !== value ? { names } : {}),
            ...(typeof display === 'string' ? { display } : {}),
            ...(typeof type === 'string' ? { type } : {}),
            ...(typeof primary === 'boolean' ? { primary } : {}),
            known,
            grants: known && idpRoles,
          },
        ];
      });
    return {
      id: user.id,
      userName: user.userName,
      displayName: user.displayName,
      externalId: user.externalId,
      active: user.active,
      groups: (user.groups ?? []).map((g) => ({ id: g.value, displayName: g.display, type: g.type })),
      idpRoles,
      roles: view(user.attributes.roles, (v) => vocabulary.isRole(v) || orgRoles?.has(v) === true),
      entitlements: view(user.attributes.entitlements, (v) => vocabulary.isEntitlement(v)),
      grants: user.active === true ? [...fromGroups, ...fromIdp] : [],
      conditionsNotMet: user.active === true ? marked.filter((e) => !held(e)) : [],
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    };
  }

  /** `alsoInWrite`: more the same transaction records (the report of unregistered attributes). */
  create(ctx: RequestContext, fields: UserFields, alsoInWrite?: (tx: Queryable) => Promise<void>): Promise<UserRecord> {
    return this.deps.unitOfWork.write(async (tx) => {
      const user = await insertUser(tx, ctx.orgId, randomUUID(), fields, this.deps.now());
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'user.create',
        target: `user:${user.id}`,
        details: { userName: user.userName, active: user.active },
      });
      await alsoInWrite?.(tx);
      return user;
    });
  }

  get(ctx: RequestContext, id: string, options: { withGroups?: boolean } = {}): Promise<UserRecord | undefined> {
    if (!isUuid(id)) return Promise.resolve(undefined);
    return this.byId.get(`${ctx.orgId}|${options.withGroups ? 'g' : '-'}`, id.toLowerCase());
  }

  async list(ctx: RequestContext, query: UserListQuery): Promise<ListResult<UserRecord>> {
    const lookup = userLookup(query.filter);
    if (lookup && !query.sort && !query.window.after && !query.window.offset && query.window.limit > 0) {
      const scope = `${ctx.orgId}|${lookup.column}|${query.withGroups ? 'g' : '-'}|${query.window.limit}`;
      return (await this.byKey.get(scope, lookup.value)) ?? { rows: [], total: 0 };
    }
    return listUsers(this.deps.db, ctx.orgId, query);
  }

  /**
   * Read-modify-write under the row lock, so concurrent changes to one user serialize rather than
   * overwrite each other. `change` returns the new fields, or undefined for "nothing to change".
   */
  /**
   * Users and the identity provider's groups in one list (RFC 7644 §3.4.2.1, a search on the SCIM
   * root), filtered, sorted and paged in one query (db/list-sql listAcross), then each page's
   * resources loaded by id. Users sit above groups in the domain order, so this domain can see both.
   */
  async searchDirectory(ctx: RequestContext, query: DirectoryQuery): Promise<ListResult<DirectoryEntry>> {
    const { db } = this.deps;
    const { rows, total } = await listAcross(db, {
      orgId: ctx.orgId,
      sources: [userListSource(query.catalogue), scimGroupsSource()],
      filter: query.filter,
      sort: query.sort,
      window: query.window,
    });
    const idsOf = (type: string) => rows.filter((r) => r.resourceType === type).map((r) => r.id);
    const [users, groups] = await Promise.all([
      findUsersByIds(db, ctx.orgId, idsOf('User'), query.withGroups),
      scimGroupsByIds(db, ctx.orgId, idsOf('Group'), query.withMembers),
    ]);
    // A resource deleted between the two reads is left out of the page.
    const entries = rows.flatMap((r): DirectoryEntry[] => {
      const user = r.resourceType === 'User' ? users.get(r.id) : undefined;
      if (user) return [{ resourceType: 'User', id: r.id, createdAt: r.createdAt, user }];
      const group = r.resourceType === 'Group' ? groups.get(r.id) : undefined;
      return group ? [{ resourceType: 'Group', id: r.id, createdAt: r.createdAt, group }] : [];
    });
    return { rows: entries, total };
  }

  modify(
    ctx: RequestContext,
    id: string,
    change: (current: UserRecord) => Promise<UserFields | undefined>,
    precondition?: Precondition,
    alsoInWrite?: (tx: Queryable) => Promise<void>,
  ): Promise<{ user: UserRecord; changed: boolean }> {
    return this.deps.unitOfWork.write(async (tx, changed) => {
      const current = await findUser(tx, ctx.orgId, id, { forChange: true });
      if (!current) throw userErrors.notFound(id);
      if (precondition && !precondition(current.version)) throw preconditionFailed();
      const fields = await change(current);
      await alsoInWrite?.(tx);
      if (!fields) return { user: current, changed: false };
      const user = (await updateUser(tx, ctx.orgId, id, fields, this.deps.now()))!;
      changed(tag.user(id));
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action:
          current.active && !user.active
            ? 'user.deactivate'
            : !current.active && user.active
              ? 'user.reactivate'
              : 'user.update',
        target: `user:${id}`,
        details: { userName: user.userName, active: user.active },
      });
      return { user, changed: true };
    });
  }

  delete(ctx: RequestContext, id: string, precondition?: Precondition): Promise<void> {
    return this.deps.unitOfWork.write(async (tx, changed) => {
      // FOR UPDATE before the memberships are looked for: a group adding this user meanwhile holds
      // it FOR KEY SHARE, so this waits for that addition to commit, and later additions find no user
      // (lock order: groups-service lockMembers).
      const current = await findUser(tx, ctx.orgId, id, { forUpdate: true });
      if (!current) throw userErrors.notFound(id);
      if (precondition && !precondition(current.version)) throw preconditionFailed();
      // Its memberships go first: the groups' counts and versions move on (groups-service owns those rows).
      await leaveAllGroups(tx, ctx.orgId, id, this.deps.now());
      await deleteUser(tx, ctx.orgId, id);
      changed(tag.user(id));
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'user.delete',
        target: `user:${id}`,
        details: { userName: current.userName },
      });
    });
  }
}

export function audit(ctx: RequestContext) {
  return { orgId: ctx.orgId, actor: ctx.actor, requestId: ctx.requestId };
}

function adminCursorPosition(cursor: string): { name: string; id: string } {
  const position = decodeCursor(cursor);
  if (!Array.isArray(position)) throw userErrors.invalidCursor();
  const [name, id] = position as unknown[];
  if (typeof name !== 'string' || typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id))
    throw userErrors.invalidCursor();
  return { name, id };
}
