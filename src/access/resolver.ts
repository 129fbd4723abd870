import type { Queryable } from '../db/db.js';
import { tag } from '../db/unit-of-work.js';
import type { KeyRow } from '../keys/keys.js';
import { grantOfConditionalRules, groupsOfKey, rulesOfGroupsSplit } from '../groups/grants.js';
import { userById, userConditionsHold, userIdpGrant, userIdpGrantOf } from '../users/users-service.js';
import { organizationGrantPolicy } from '../orgs/orgs-service.js';
import { unionGrant, type IdpVocabulary } from '../principals/idp-grant.js';
import { compact, narrow, type Grant } from '../principals/permissions.js';
import type { ConditionOutcome, Principal } from '../principals/principal.js';

export interface Resolved {
  principal: Principal;
  /** What this principal depends on; a change to any of them evicts it (see invalidation.ts, db/unit-of-work.ts). */
  tags: string[];
}

/**
 * DESIGN §5: a service key holds its group's grant; a personal key holds its owner's grant (the union
 * over every group the owner is in), or its group's grant while the owner is active and in that group;
 * nested groups add the rules of every group they sit in; an explicit permission list narrows the result.
 * Under the organization's idpRoles policy the owner's grant also holds what the identity provider's
 * roles and entitlements grant (principals/idp-grant.ts); the principal depends on the owner and the
 * organization (tags), so a change to either reaches it at once.
 * A suspended key resolves to an empty grant (fail closed).
 */
export async function resolvePrincipal(q: Queryable, row: KeyRow, vocabulary: IdpVocabulary): Promise<Resolved> {
  const orgId = row.org_id;
  const tags = new Set([tag.key(row.id), tag.org(orgId)]);
  if (row.owner_user_id) tags.add(tag.user(row.owner_user_id));
  if (row.group_id) tags.add(tag.group(row.group_id));

  const { ownerGroups, keyGroups } = await groupsOfKey(q, orgId, {
    kind: row.kind,
    groupId: row.group_id,
    ownerUserId: row.owner_user_id,
  });
  for (const id of [...ownerGroups, ...keyGroups]) tags.add(tag.group(id));

  const grantingGroups = row.group_id ? keyGroups : row.kind === 'personal' ? ownerGroups : [];
  const org = await organizationGrantPolicy(q, orgId);
  const person = row.kind === 'personal' ? row.owner_user_id : null;
  const { grant: groupsGrant, conditions } = await grantFor(q, orgId, grantingGroups, person);
  let grant: Grant = [];
  if (!row.suspension) {
    // The owner's own grant only: a personal key narrowed to a group holds that group's grant.
    const fromIdp =
      row.kind === 'personal' && !row.group_id && row.owner_user_id
        ? await userIdpGrant(q, orgId, row.owner_user_id, { idpRoles: org?.idpRoles === true, vocabulary })
        : [];
    grant = narrow(unionGrant(groupsGrant, fromIdp), row.permissions);
  }

  const principal: Principal = {
    orgId,
    orgName: org?.name ?? '',
    keyId: row.id,
    keyName: row.name,
    kind: row.kind,
    groupId: row.group_id,
    groupName: row.group_name,
    ownerUserId: row.owner_user_id,
    ownerUserName: row.owner_name,
    scim: row.scim,
    impersonation: row.impersonation,
    bootstrap: row.bootstrap,
    permissions: row.permissions,
    grant,
    ...(conditions.length ? { conditions } : {}),
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    issuedAt: row.created_at,
    suspension: row.suspension,
  };
  return { principal, tags: [...tags] };
}

/** A user an impersonation token acts for, resolved like a personal key of that user (DESIGN §5). */
export interface UserSubject {
  userId: string;
  userName: string;
  displayName?: string | null;
  active: boolean;
  grant: Grant;
}

export async function resolveUserSubject(
  q: Queryable,
  orgId: string,
  userId: string,
  vocabulary: IdpVocabulary,
): Promise<{ subject: UserSubject; tags: string[] } | undefined> {
  const user = await userById(q, orgId, userId);
  if (!user) return undefined;
  const { ownerGroups } = await groupsOfKey(q, orgId, { kind: 'personal', groupId: null, ownerUserId: userId });
  const tags = [tag.user(userId), tag.org(orgId), ...ownerGroups.map((id) => tag.group(id))];
  const idpRoles = (await organizationGrantPolicy(q, orgId))?.idpRoles === true;
  const grant =
    user.active === true
      ? unionGrant(
          (await grantFor(q, orgId, ownerGroups, userId)).grant,
          await userIdpGrantOf(q, orgId, user.attributes, { idpRoles, vocabulary }),
        )
      : [];
  return {
    subject: { userId, userName: user.userName, displayName: user.displayName, active: user.active === true, grant },
    tags,
  };
}

/**
 * What these groups grant the person a key acts for (issue 13): their unconditional rules, and each
 * conditional rule whose condition (a SCIM filter) matches that user now, on the database's data.
 * For no person (a service key) a conditional rule grants nothing. The user's tag (u:<id>, which
 * every change to the user marks) is among the principal's tags, so a change re-evaluates.
 */
async function grantFor(
  q: Queryable,
  orgId: string,
  groupIds: string[],
  userId: string | null,
): Promise<{ grant: Grant; conditions: ConditionOutcome[] }> {
  const { grant, conditional, orgRoles } = await rulesOfGroupsSplit(q, orgId, groupIds);
  if (!conditional.length) return { grant, conditions: [] };
  const holds = userId
    ? await userConditionsHold(
        q,
        orgId,
        userId,
        conditional.map((r) => r.when),
      )
    : [];
  const conditions = conditional.map(({ groupId: _, ...rule }, i) => ({ ...rule, holds: holds[i] === true }));
  const granted = grantOfConditionalRules(
    conditional.filter((_, i) => holds[i] === true),
    orgRoles,
  );
  return { grant: granted.length ? compact([...grant, ...granted]) : grant, conditions };
}
