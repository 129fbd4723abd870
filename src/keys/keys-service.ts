import bcrypt from 'bcrypt';
import { groupGrant, isMemberOf } from '../groups/grants.js';
import { tag, type MarkChanged, type UnitOfWork } from '../db/unit-of-work.js';
import type { PermissionCatalogue } from '../principals/permission-catalogue.js';
import { beyondCaller, can, narrow, type Grant } from '../principals/permissions.js';
import type { RequestContext } from '../principals/request-context.js';
import { SYSTEM_ACTOR } from '../principals/actor.js';
import { actorOf, isOrgAdmin, type Principal } from '../principals/principal.js';
import { auditedBy, recordAudit } from '../audit/audit-service.js';
import { decodeCursor, encodeCursor } from '../db/cursor.js';
import type { Db, Queryable } from '../db/db.js';
import { isStorableTimestamp } from '../db/timestamp.js';
import { isUuid } from '../db/uuid.js';
import { groupById } from '../groups/groups-service.js';
import { personGrant, userById } from '../users/users-service.js';
import { ENTERPRISE_USER_SCHEMA } from '../schema/scimmy.js';
import { resolveExpiry } from './expiration.js';
import { keyErrors } from './keys-errors.js';
import {
  claimExpiryNotices,
  countLiveKeys,
  findKey,
  findReplacement,
  insertKey,
  liftSignalSuspensions,
  listKeys,
  suspendPersonalKeysForSignal,
  liveKeyIdsWhere,
  revokeKeys,
  updateKeyFields,
  findBootstrapKeysForAuth,
  findKeyForAuth,
  touchLastUsed,
  type KeyListQuery,
  type NewKeyRow,
} from './keys-store.js';
import type {
  ApiKey,
  ApiKeyDetail,
  CreateKeyInput,
  KeyPolicy,
  KeyPolicySource,
  KeyRow,
  ListKeysInput,
  RotateKeyInput,
  UpdateKeyInput,
} from './keys.js';
import type { KeyKind, SignalSuspensionReason } from '../principals/key-status.js';
import type { Actor } from '../principals/actor.js';
import { bootstrapSecret, fragmentOf, issueToken } from '../principals/token.js';

export interface IssuedKey {
  token: string;
  key: ApiKey;
}

/** A key's secret before the key is stored: the token shown once, and what the row keeps of it. */
export interface PreparedSecret {
  keyId: string;
  token: string;
  secretHash: string;
  fragment: string;
  bootstrap: boolean;
}

/**
 * A fresh token, or the operator's BOOTSTRAP_ADMIN_KEY, with its bcrypt hash. Made before the
 * transaction where it can be: bcrypt is the slowest step and must not hold locks.
 */
export async function prepareSecret(bcryptCost: number, supplied?: string): Promise<PreparedSecret> {
  const issued = issueToken();
  if (supplied !== undefined) {
    const secretHash = await bcrypt.hash(bootstrapSecret(supplied), bcryptCost);
    return {
      keyId: issued.keyId,
      token: supplied,
      secretHash,
      fragment: fragmentOf(supplied, undefined),
      bootstrap: true,
    };
  }
  const secretHash = await bcrypt.hash(issued.secret, bcryptCost);
  return {
    keyId: issued.keyId,
    token: issued.token,
    secretHash,
    fragment: fragmentOf(issued.token, issued.keyId),
    bootstrap: false,
  };
}

/** What a new key is, apart from its secret. */
export type KeySettings = Omit<NewKeyRow, 'id' | 'secretHash' | 'fragment' | 'bootstrap'>;

/**
 * The one place a key comes to exist: created, rotated, or an organization's first admin key. The
 * caller has checked who may issue it; the answer is the key as the API shows it, with its token.
 */
export async function issueKey(tx: Queryable, secret: PreparedSecret, settings: KeySettings): Promise<IssuedKey> {
  await insertKey(tx, {
    ...settings,
    id: secret.keyId,
    secretHash: secret.secretHash,
    fragment: secret.fragment,
    bootstrap: secret.bootstrap,
  });
  const row = await findKey(tx, settings.orgId, secret.keyId, settings.createdAt);
  if (!row) throw new Error(`key ${secret.keyId} was not found in the transaction that inserted it`);
  return { token: secret.token, key: toApiKey(row) };
}

export interface KeysServiceDeps {
  db: Db;
  unitOfWork: UnitOfWork;
  permissions: PermissionCatalogue;
  policies: KeyPolicySource;
  bcryptCost: number;
  now: () => Date;
}

/**
 * What authentication (access/) reads and writes about keys. No permission check: its caller holds
 * only a token, and finding the key is how it learns the organization.
 */
export const keysForAuthentication = { find: findKeyForAuth, bootstrapKeys: findBootstrapKeysForAuth, touchLastUsed };

/** Who a signal's effect is recorded as, in the caller's transaction. */
export interface SignalEffectContext {
  orgId: string;
  actor: Actor;
  requestId?: string;
  at: Date;
}

/**
 * An identity provider's signal suspends a person's live personal keys (issue 14, DESIGN §11), in
 * the caller's transaction: one `key.suspend` audit entry per key, and each key's change tag, so
 * every process refuses it within a second. Returns the keys it suspended.
 */
export async function suspendPersonKeysForSignal(
  tx: Queryable,
  changed: MarkChanged,
  ctx: SignalEffectContext,
  userId: string,
  reason: SignalSuspensionReason,
): Promise<string[]> {
  const ids = await suspendPersonalKeysForSignal(tx, ctx.orgId, userId, reason, ctx.at);
  for (const id of ids) {
    changed(tag.key(id));
    await recordAudit(tx, {
      orgId: ctx.orgId,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'key.suspend',
      target: `key:${id}`,
      details: { reason, ownerUserId: userId },
    });
  }
  return ids;
}

/**
 * An enabling signal (RISC account-enabled) lifts exactly the suspensions signals stored on the
 * person's keys, and nothing else: one `key.restore` audit entry per key. Returns the keys restored.
 */
export async function restorePersonKeysAfterSignal(
  tx: Queryable,
  changed: MarkChanged,
  ctx: SignalEffectContext,
  userId: string,
): Promise<string[]> {
  return recordRestores(tx, changed, ctx, await liftSignalSuspensions(tx, ctx.orgId, { ownerUserId: userId }));
}

async function recordRestores(
  tx: Queryable,
  changed: MarkChanged,
  ctx: Omit<SignalEffectContext, 'at'>,
  lifted: { id: string; owner_user_id: string | null }[],
): Promise<string[]> {
  for (const { id, owner_user_id } of lifted) {
    changed(tag.key(id));
    await recordAudit(tx, {
      orgId: ctx.orgId,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'key.restore',
      target: `key:${id}`,
      details: { ownerUserId: owner_user_id },
    });
  }
  return lifted.map((k) => k.id);
}

/**
 * The lifecycle of API keys (DESIGN §4). Who may do what is decided here, on the server:
 * service keys need keys:manage, personal keys for oneself keys:write, the SCIM flag org:admin,
 * and a key never grants more than the key creating it (unless that one is org:admin).
 */
export class KeysService {
  constructor(private readonly deps: KeysServiceDeps) {}

  async create(ctx: RequestContext, input: CreateKeyInput): Promise<IssuedKey> {
    const p = ctx.principal;
    // Unless told, a personal key makes personal keys and a service key service keys.
    const kind: KeyKind = input.kind ?? (input.ownerUserId ? 'personal' : p.kind);
    const permissions = input.permissions ?? null;
    if (permissions) this.deps.permissions.assertKnown(permissions, 'permissions');
    if (input.scim && !isOrgAdmin(p)) throw keyErrors.scimNeedsAdmin();
    if (input.impersonation && !mayImpersonate(p)) throw keyErrors.impersonationNeedsPermission();

    let ownerUserId: string | null = null;
    if (kind === 'service') {
      if (input.ownerUserId) throw keyErrors.personalOnly('ownerUserId');
      if (!can(p.grant, 'keys:manage')) throw keyErrors.needsPermission('keys:manage', 'Creating a service key');
    } else {
      ownerUserId = input.ownerUserId ?? p.ownerUserId;
      if (!ownerUserId) throw keyErrors.ownerRequired();
      if (ownerUserId !== p.ownerUserId) {
        // A personal key acts as its owner and grows with whatever the identity provider later
        // grants them, so no check made today bounds it: only an org:admin may issue one (DESIGN §9).
        if (!isOrgAdmin(p)) throw keyErrors.forAnotherUserNeedsAdmin("Creating another user's personal key");
      } else if (!can(p.grant, 'keys:write') && !can(p.grant, 'keys:manage') && !actsForThemselves(p)) {
        throw keyErrors.needsPermission('keys:write', 'Creating your own personal key');
      }
    }
    // Self-service (issue 11): one's own personal key with neither keys:write nor keys:manage, if
    // the organization allows it (checked under the policy lock below).
    const selfService =
      kind === 'personal' &&
      ownerUserId === p.ownerUserId &&
      !can(p.grant, 'keys:write') &&
      !can(p.grant, 'keys:manage');

    const secret = await prepareSecret(this.deps.bcryptCost);
    const now = this.deps.now();
    return this.deps.unitOfWork.write(async (tx) => {
      const policy = await this.deps.policies.lock(tx, p.orgId);
      if (!policy) throw keyErrors.notFound(p.keyId);
      if (selfService && !policy.selfServiceKeys) throw keyErrors.selfServiceOff('Creating your own personal key');
      const groupId = input.groupId ?? null;
      await this.checkGroupAndOwner(tx, p.orgId, kind, groupId, ownerUserId);
      await this.checkNoEscalation(tx, p, { groupId, ownerUserId, permissions });
      const expiresAt = resolveExpiry(input, policy, now, { scim: input.scim === true });
      if ((await countLiveKeys(tx, p.orgId, now)) >= policy.maxKeys) throw keyErrors.limitReached(policy.maxKeys);
      const issued = await issueKey(tx, secret, {
        orgId: p.orgId,
        name: input.name,
        description: input.description ?? '',
        kind,
        groupId,
        ownerUserId,
        scim: input.scim === true,
        impersonation: input.impersonation === true,
        permissions,
        expiresAt,
        rotatedFrom: null,
        createdBy: actorOf(p),
        createdAt: now,
      });
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'key.create',
        target: `key:${secret.keyId}`,
        details: {
          name: input.name,
          kind,
          groupId,
          ownerUserId,
          ...forAnotherUser(p, ownerUserId),
          scim: input.scim === true,
          ...(input.impersonation ? { impersonation: true } : {}),
          permissions,
          expiresAt: expiresAt?.toISOString() ?? null,
        },
      });
      return issued;
    });
  }

  async list(ctx: RequestContext, input: ListKeysInput): Promise<{ items: ApiKey[]; nextCursor: string | null }> {
    const p = ctx.principal;
    await this.requireRead(p);
    const manager = can(p.grant, 'keys:manage');
    const owner = input.owner ?? (manager ? 'all' : 'me');
    if (owner === 'all' && !manager)
      throw keyErrors.needsPermission('keys:manage', "Listing other people's keys (owner=all)");
    const limit = Math.min(Math.max(input.limit ?? 50, 1), 100);
    const query: KeyListQuery = {
      status: input.status,
      text: input.q?.trim() || undefined,
      groupId: input.groupId,
      ownerUserId: input.ownerUserId,
      mine: owner === 'me' ? { keyId: p.keyId, actorId: actorOf(p).id, userId: p.ownerUserId } : undefined,
      after: input.cursor ? positionOf(input.cursor) : undefined,
      limit: limit + 1,
    };
    const rows = await listKeys(this.deps.db, p.orgId, query, this.deps.now());
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toApiKey), nextCursor: rows.length > limit && last ? cursorOf(last) : null };
  }

  async get(ctx: RequestContext, id: string): Promise<ApiKeyDetail> {
    await this.requireRead(ctx.principal);
    const key = toApiKey(await this.visibleKey(this.deps.db, ctx.principal, id));
    const replacement = await findReplacement(this.deps.db, ctx.principal.orgId, key.id);
    return { ...key, replacedBy: replacement ?? null };
  }

  async update(ctx: RequestContext, id: string, input: UpdateKeyInput): Promise<ApiKey> {
    const p = ctx.principal;
    const now = this.deps.now();
    const row = await this.deps.unitOfWork.write(async (tx, changed) => {
      const key = await this.visibleKey(tx, p, id);
      await this.requireChange(tx, p, key);
      await this.checkMayTouch(tx, p, key);
      if (key.status === 'revoked' || key.status === 'expired') throw keyErrors.inactive(key.status);
      if (input.impersonation !== undefined && input.impersonation !== key.impersonation)
        throw keyErrors.impersonationFixed(key.impersonation);
      if (input.groupId !== undefined && input.groupId !== key.group_id) {
        if (key.kind !== 'service') throw keyErrors.serviceOnly();
        if (!can(p.grant, 'keys:manage'))
          throw keyErrors.needsPermission('keys:manage', 'Moving a key to another group');
        if (!(await groupById(tx, p.orgId, input.groupId))) throw keyErrors.unknownGroup(input.groupId);
        await this.checkNoEscalation(tx, p, {
          groupId: input.groupId,
          ownerUserId: null,
          permissions: key.permissions,
        });
      }
      const { impersonation: _fixed, ...fields } = input;
      await updateKeyFields(tx, p.orgId, id, fields);
      changed(tag.key(id));
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: input.groupId !== undefined && input.groupId !== key.group_id ? 'key.move' : 'key.update',
        target: `key:${id}`,
        details: { ...fields, ...(input.groupId !== undefined ? { fromGroupId: key.group_id } : {}) },
      });
      return (await findKey(tx, p.orgId, id, now))!;
    });
    return toApiKey(row);
  }

  async revoke(ctx: RequestContext, id: string): Promise<ApiKey> {
    const p = ctx.principal;
    const now = this.deps.now();
    const row = await this.deps.unitOfWork.write(async (tx, changed) => {
      const key = await this.visibleKey(tx, p, id);
      await this.requireChange(tx, p, key);
      await this.checkMayTouch(tx, p, key);
      const revoked = await revokeKeys(tx, p.orgId, [id], now, actorOf(p).id);
      if (revoked.length) {
        changed(tag.key(id));
        await recordAudit(tx, {
          ...auditedBy(ctx),
          action: 'key.revoke',
          target: `key:${id}`,
          details: {
            name: key.name,
            ...(key.owner_user_id !== null ? { ownerUserId: key.owner_user_id } : {}),
            ...(key.impersonation ? { impersonation: true } : {}),
          },
        });
      }
      return (await findKey(tx, p.orgId, id, now))!;
    });
    return toApiKey(row);
  }

  /** A new key with the same settings and lifetime; the old one is revoked now or after `gracePeriodSeconds`. */
  async rotate(ctx: RequestContext, id: string, input: RotateKeyInput): Promise<IssuedKey> {
    const p = ctx.principal;
    const secret = await prepareSecret(this.deps.bcryptCost);
    const now = this.deps.now();
    return this.deps.unitOfWork.write(async (tx, changed) => {
      const key = await this.visibleKey(tx, p, id);
      await this.requireChange(tx, p, key);
      if (key.status === 'revoked') throw keyErrors.revokedCannotRotate();
      // One successor per key: a second rotation during the grace period would mint another token.
      if (key.revoked_at) throw keyErrors.rotationPending(key.revoked_at);
      const admin = isOrgAdmin(p);
      if (key.scim && !admin) throw keyErrors.scimNeedsAdmin();
      // A rotation hands out a fresh impersonation token: the same permission as creating one.
      if (key.impersonation && !mayImpersonate(p)) throw keyErrors.impersonationNeedsPermission();
      if (key.owner_user_id !== null && key.owner_user_id !== p.ownerUserId && !admin) {
        throw keyErrors.forAnotherUserNeedsAdmin("Rotating another user's personal key");
      }
      // A rotation hands out a fresh token for what the key grants: the same rule as creating it.
      await this.checkNoEscalation(tx, p, {
        groupId: key.group_id,
        ownerUserId: key.owner_user_id,
        permissions: key.permissions,
      });
      const policy = (await this.deps.policies.lock(tx, p.orgId))!;
      const expiresAt = admin
        ? adminRotationExpiry(key, input, policy, now)
        : boundedRotationExpiry(key, input, policy, now);
      // With a grace period both keys live for a while, so the new one counts against the limit.
      if ((input.gracePeriodSeconds ?? 0) > 0 && (await countLiveKeys(tx, p.orgId, now)) >= policy.maxKeys)
        throw keyErrors.limitReached(policy.maxKeys);
      const issued = await issueKey(tx, secret, {
        orgId: p.orgId,
        name: key.name,
        description: key.description,
        kind: key.kind,
        groupId: key.group_id,
        ownerUserId: key.owner_user_id,
        scim: key.scim,
        impersonation: key.impersonation,
        permissions: key.permissions,
        expiresAt,
        rotatedFrom: key.id,
        createdBy: actorOf(p),
        createdAt: now,
      });
      const revokeAt = new Date(now.getTime() + (input.gracePeriodSeconds ?? 0) * 1000);
      await revokeKeys(tx, p.orgId, [id], revokeAt, actorOf(p).id);
      changed(tag.key(id));
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'key.rotate',
        target: `key:${id}`,
        details: {
          newKeyId: secret.keyId,
          oldKeyRevokedAt: revokeAt.toISOString(),
          expiresAt: expiresAt?.toISOString() ?? null,
          ...(key.owner_user_id !== null
            ? { ownerUserId: key.owner_user_id, ...forAnotherUser(p, key.owner_user_id) }
            : {}),
        },
      });
      return issued;
    });
  }

  /**
   * Announces keys about to expire (`key.expiring`, once, `windowMs` ahead, default 7 days) and keys
   * that expired (`key.expired`, once), through the audit log and so the webhooks' outbox, in the
   * transaction that marks them announced: every process may scan, each notice goes out once.
   * `key.expiring` names the owner and the owner's manager (SCIM enterprise extension), as
   * provisioned, so a receiver can tell both. Returns how many keys were announced.
   */
  async announceExpiry(windowMs = 7 * 86_400_000, batch = 100): Promise<number> {
    let announced = 0;
    for (const which of ['expiring', 'expired'] as const) {
      for (;;) {
        const now = this.deps.now();
        const count = await this.deps.db.transaction(async (tx) => {
          const rows = await claimExpiryNotices(tx, which, now, windowMs, batch);
          for (const row of rows) {
            const owner = row.owner_user_id ? await personOf(tx, row.org_id, row.owner_user_id) : null;
            const manager = owner?.managerId ? await personOf(tx, row.org_id, owner.managerId) : null;
            await recordAudit(tx, {
              orgId: row.org_id,
              actor: SYSTEM_ACTOR,
              action: `key.${which}`,
              target: `key:${row.id}`,
              details: {
                name: row.name,
                kind: row.kind,
                groupId: row.group_id,
                expiresAt: row.expires_at.toISOString(),
                ...(which === 'expiring'
                  ? {
                      owner: owner && { id: owner.id, userName: owner.userName, emails: owner.emails },
                      manager: manager
                        ? { id: manager.id, userName: manager.userName, emails: manager.emails }
                        : owner?.managerId
                          ? { id: owner.managerId, userName: null, emails: [] }
                          : null,
                    }
                  : { ownerUserId: row.owner_user_id }),
              },
            });
          }
          return rows.length;
        });
        announced += count;
        if (count < batch) break;
      }
    }
    return announced;
  }

  /** Revokes every live key of a group or of a user, in one transaction. */
  async revokeAll(
    ctx: RequestContext,
    filter: { groupId?: string; ownerUserId?: string },
  ): Promise<{ revoked: string[] }> {
    const p = ctx.principal;
    if (!can(p.grant, 'keys:manage')) throw keyErrors.needsPermission('keys:manage', 'Revoking keys in bulk');
    const now = this.deps.now();
    return this.deps.unitOfWork.write(async (tx, changed) => {
      const ids = await liveKeyIdsWhere(tx, p.orgId, filter, now);
      for (const id of ids) await this.checkMayTouch(tx, p, (await findKey(tx, p.orgId, id, now))!);
      const revoked = await revokeKeys(tx, p.orgId, ids, now, actorOf(p).id);
      for (const id of revoked) changed(tag.key(id));
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'key.revoke_all',
        target: filter.groupId ? `group:${filter.groupId}` : `user:${filter.ownerUserId}`,
        details: { count: revoked.length, keys: revoked.slice(0, 100) },
        subjects: revoked,
      });
      return { revoked };
    });
  }

  /**
   * Lifts the suspension an identity provider's signal put on one key (issue 14). org:admin only: it
   * overrides the identity provider and brings back a token acting as a person (DESIGN §9). A key
   * without such a suspension is answered as it is; revocation, expiry and computed suspensions stay.
   */
  async restore(ctx: RequestContext, id: string): Promise<ApiKey> {
    const p = ctx.principal;
    if (!isOrgAdmin(p)) throw keyErrors.restoreNeedsAdmin();
    const now = this.deps.now();
    const row = await this.deps.unitOfWork.write(async (tx, changed) => {
      if (!(await findKey(tx, p.orgId, id, now))) throw keyErrors.notFound(id);
      await recordRestores(tx, changed, auditedBy(ctx), await liftSignalSuspensions(tx, p.orgId, { keyId: id }));
      return (await findKey(tx, p.orgId, id, now))!;
    });
    return toApiKey(row);
  }

  /** Lifts the signal suspensions of every key of one person (org:admin), as account-enabled does. */
  async restoreAll(ctx: RequestContext, ownerUserId: string): Promise<{ restored: string[] }> {
    const p = ctx.principal;
    if (!isOrgAdmin(p)) throw keyErrors.restoreNeedsAdmin();
    if (!(await userById(this.deps.db, p.orgId, ownerUserId))) throw keyErrors.unknownOwner(ownerUserId);
    return this.deps.unitOfWork.write(async (tx, changed) => ({
      restored: await recordRestores(
        tx,
        changed,
        auditedBy(ctx),
        await liftSignalSuspensions(tx, p.orgId, { ownerUserId }),
      ),
    }));
  }

  /** keys:read (or more); or, where self-service is on, a person reading their own keys. */
  private async requireRead(p: Principal): Promise<void> {
    if (can(p.grant, 'keys:read') || can(p.grant, 'keys:write') || can(p.grant, 'keys:manage')) return;
    if (actsForThemselves(p) && (await this.deps.policies.read(this.deps.db, p.orgId))?.selfServiceKeys) return;
    throw keyErrors.needsPermission('keys:read', 'Reading API keys');
  }

  /**
   * Your own keys need keys:write (or, where self-service is on, nothing for a person's own personal
   * keys); anyone else's keys:manage.
   */
  private async requireChange(q: Queryable, p: Principal, key: KeyRow): Promise<void> {
    if (can(p.grant, 'keys:manage')) return;
    if (isMine(p, key) && can(p.grant, 'keys:write')) return;
    if (isOwnPersonalKey(p, key)) {
      if ((await this.deps.policies.read(q, p.orgId))?.selfServiceKeys) return;
      throw keyErrors.selfServiceOff('Changing your own personal key');
    }
    throw keyErrors.needsPermission(isMine(p, key) ? 'keys:write' : 'keys:manage', 'Changing this key');
  }

  /**
   * Editing or revoking someone else's key that grants more than the caller (or carries the SCIM
   * flag) needs org:admin: a key-manager must not be able to lock out the admins or stop provisioning.
   */
  private async checkMayTouch(q: Queryable, p: Principal, key: KeyRow): Promise<void> {
    if (isOrgAdmin(p) || isMine(p, key)) return;
    if (key.scim) throw keyErrors.changeScimNeedsAdmin();
    const beyond = beyondCaller(
      p.grant,
      await this.prospectiveGrant(q, p.orgId, {
        groupId: key.group_id,
        ownerUserId: key.owner_user_id,
        permissions: key.permissions,
      }),
    );
    if (beyond.length) throw keyErrors.changeBeyondCaller(describeGrant(beyond));
  }

  /** A key in the caller's organization it may see: all of them with keys:manage, else its own. Others read as unknown. */
  private async visibleKey(q: Queryable, p: Principal, id: string): Promise<KeyRow> {
    const key = await findKey(q, p.orgId, id, this.deps.now());
    if (!key || (!can(p.grant, 'keys:manage') && !isMine(p, key))) throw keyErrors.notFound(id);
    return key;
  }

  private async checkGroupAndOwner(
    q: Queryable,
    orgId: string,
    kind: KeyKind,
    groupId: string | null,
    ownerUserId: string | null,
  ): Promise<void> {
    const group = groupId ? await groupById(q, orgId, groupId) : undefined;
    if (groupId && !group) throw keyErrors.unknownGroup(groupId);
    if (kind !== 'personal' || !ownerUserId) return;
    const owner = await userById(q, orgId, ownerUserId);
    if (!owner) throw keyErrors.unknownOwner(ownerUserId);
    if (!owner.active) throw keyErrors.ownerInactive(ownerUserId);
    if (group && !(await isMemberOf(q, orgId, ownerUserId, group.id)))
      throw keyErrors.ownerNotInGroup(group.displayName);
  }

  /** A key never grants more than the key making it (DESIGN §4): checked on create, move and rotate. */
  private async checkNoEscalation(
    q: Queryable,
    p: Principal,
    key: { groupId: string | null; ownerUserId: string | null; permissions: string[] | null },
  ): Promise<void> {
    const grant: Grant = await this.prospectiveGrant(q, p.orgId, key);
    const beyond = beyondCaller(p.grant, grant);
    if (beyond.length) throw keyErrors.escalation(describeGrant(beyond));
  }

  /**
   * The grant a key would hold (DESIGN §5), for checks made before it exists: its group's, or its
   * owner's (groups' rules and, under the idpRoles policy, the identity provider's roles and
   * entitlements), narrowed by its own permissions. The same as access/resolver gives it once used.
   */
  private async prospectiveGrant(
    q: Queryable,
    orgId: string,
    key: { groupId: string | null; ownerUserId: string | null; permissions: string[] | null },
  ): Promise<Grant> {
    const base = key.groupId
      ? await groupGrant(q, orgId, key.groupId)
      : key.ownerUserId
        ? await personGrant(q, orgId, key.ownerUserId, {
            idpRoles: await this.deps.policies.idpRoles(q, orgId),
            vocabulary: this.deps.permissions,
          })
        : [];
    return narrow(base, key.permissions);
  }
}

function describeGrant(grant: Grant): string[] {
  return grant.map((g) => g.permission + (g.resources ? ` on ${g.resources.join(', ')}` : ''));
}

type RotationInput = { expiration?: string; expiresAt?: string };

const choseExpiry = (input: RotationInput) => input.expiration !== undefined || input.expiresAt !== undefined;

/** An org:admin's rotation: the expiry asked for, or the old key's lifetime counted from now. */
function adminRotationExpiry(key: KeyRow, input: RotationInput, policy: KeyPolicy, now: Date): Date | null {
  return choseExpiry(input) ? resolveExpiry(input, policy, now, { scim: key.scim }) : sameLifetime(key, policy, now);
}

/**
 * Anyone else's rotation never outlives the key it replaces (DESIGN §9): a leaked key must not buy
 * itself a longer life. Without a choice the new key keeps the old one's expiry.
 */
function boundedRotationExpiry(key: KeyRow, input: RotationInput, policy: KeyPolicy, now: Date): Date | null {
  const limit = key.expires_at;
  if (limit === null)
    return choseExpiry(input) ? resolveExpiry(input, policy, now, { scim: key.scim }) : sameLifetime(key, policy, now);
  if (key.status === 'expired') throw keyErrors.expiredNeedsAdmin();
  if (!choseExpiry(input)) {
    try {
      return resolveExpiry({ expiresAt: limit.toISOString() }, policy, now, { scim: key.scim });
    } catch {
      throw keyErrors.lifetimeNotAllowed();
    }
  }
  const chosen = resolveExpiry(input, policy, now, { scim: key.scim });
  if (chosen === null || chosen > limit) throw keyErrors.rotationExtendsLife(limit);
  return chosen;
}

/** Audit details for a personal key: whether the caller acted for someone else (an admin act). */
function forAnotherUser(p: Principal, ownerUserId: string | null): { forAnotherUser?: boolean } {
  return ownerUserId === null ? {} : { forAnotherUser: ownerUserId !== p.ownerUserId };
}

/** The rotated key's lifetime, if the organization's policy still allows it; otherwise the caller must choose. */
function sameLifetime(key: KeyRow, policy: KeyPolicy, now: Date): Date | null {
  const lifetimeMs = key.expires_at ? key.expires_at.getTime() - key.created_at.getTime() : null;
  try {
    if (lifetimeMs === null) return resolveExpiry({ expiration: 'never' }, policy, now, { scim: key.scim });
    return resolveExpiry({ expiresAt: new Date(now.getTime() + lifetimeMs).toISOString() }, policy, now, {
      scim: key.scim,
    });
  } catch {
    throw keyErrors.lifetimeNotAllowed();
  }
}

/** Who may create (or rotate) an impersonation key: org:admin, or a holder of keys:impersonate (DESIGN §9). */
function mayImpersonate(p: Principal): boolean {
  return isOrgAdmin(p) || can(p.grant, 'keys:impersonate');
}

/**
 * A person acting for themselves (issue 11): a signed-in session, or a personal key of theirs. Not a
 * signed token: an impersonation token acts for its subject, who did not ask for anything.
 */
function actsForThemselves(p: Principal): boolean {
  return p.kind === 'personal' && p.ownerUserId !== null && !p.signedToken;
}

/** A personal key of the person acting for themselves. */
function isOwnPersonalKey(p: Principal, key: KeyRow): boolean {
  return actsForThemselves(p) && key.kind === 'personal' && key.owner_user_id === p.ownerUserId;
}

/** Keys "of mine": this key itself, keys it created, or personal keys of the same owner. */
function isMine(p: Principal, key: KeyRow): boolean {
  return (
    key.id === p.keyId ||
    key.created_by === actorOf(p).id ||
    (p.ownerUserId !== null && key.owner_user_id === p.ownerUserId)
  );
}

export function toApiKey(row: KeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    kind: row.kind,
    groupId: row.group_id,
    groupName: row.group_name,
    ownerUserId: row.owner_user_id,
    ownerUserName: row.owner_name,
    scim: row.scim,
    impersonation: row.impersonation,
    permissions: row.permissions,
    fragment: row.fragment,
    status: row.status,
    statusReason: row.status === 'suspended' ? row.suspension : null,
    expiresAt: row.expires_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    createdBy: { id: row.created_by, name: row.created_by_name },
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    rotatedFrom: row.rotated_from,
  };
}

function cursorOf(row: KeyRow): string {
  return encodeCursor([row.created_at.toISOString(), row.id]);
}

function positionOf(cursor: string): { createdAt: Date; id: string } {
  const position = decodeCursor(cursor);
  if (!Array.isArray(position)) throw keyErrors.invalidCursor();
  const [at, id] = position as unknown[];
  if (typeof at !== 'string' || !isStorableTimestamp(at) || typeof id !== 'string') throw keyErrors.invalidCursor();
  return { createdAt: new Date(at), id };
}

/** A person as an expiry notice names them: id, userName, e-mail addresses and their manager's id. */
async function personOf(
  q: Queryable,
  orgId: string,
  id: string,
): Promise<{ id: string; userName: string; emails: string[]; managerId: string | null } | null> {
  // manager.value names the manager's SCIM id; an identity provider may send its own identifier instead.
  const user = isUuid(id) ? await userById(q, orgId, id) : undefined;
  if (!user) return null;
  const attrs = user.attributes;
  const emails = Array.isArray(attrs.emails)
    ? (attrs.emails as { value?: unknown }[]).map((e) => e?.value).filter((v): v is string => typeof v === 'string')
    : [];
  const enterprise = attrs[ENTERPRISE_USER_SCHEMA] as { manager?: { value?: unknown } } | undefined;
  const managerId = typeof enterprise?.manager?.value === 'string' ? enterprise.manager.value : null;
  return { id: user.id, userName: user.userName, emails, managerId };
}
