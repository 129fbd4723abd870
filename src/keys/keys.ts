export type KeyKind = 'service' | 'personal';
export type KeyStatus = 'active' | 'expiring_soon' | 'expired' | 'revoked' | 'suspended';
export type SuspensionReason = 'owner_inactive' | 'owner_left_group' | 'group_deleted';

export const KEY_STATUSES: readonly KeyStatus[] = ['active', 'expiring_soon', 'expired', 'revoked', 'suspended'];
export const EXPIRING_SOON_MS = 7 * 24 * 3600 * 1000;

/** A key as the admin API shows it (DESIGN §7). Never holds a token or hash. */
export interface ApiKey {
  id: string;
  name: string;
  description: string;
  kind: KeyKind;
  groupId: string | null;
  groupName: string | null;
  ownerUserId: string | null;
  ownerUserName: string | null;
  scim: boolean;
  permissions: string[] | null;
  fragment: string;
  status: KeyStatus;
  statusReason: SuspensionReason | null;
  expiresAt: string | null;
  createdAt: string;
  createdBy: { id: string; name: string };
  lastUsedAt: string | null;
  revokedAt: string | null;
  rotatedFrom: string | null;
}

export interface KeyTimes {
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** Status from the clock and the suspension the database computed; revoked and expired win over suspended. */
export function statusOf(times: KeyTimes, suspension: SuspensionReason | null, now: Date): { status: KeyStatus; reason: SuspensionReason | null } {
  const t = now.getTime();
  const revoked = times.revokedAt?.getTime() ?? Infinity;
  const expires = times.expiresAt?.getTime() ?? Infinity;
  if (revoked <= t) return REVOKED;
  if (expires <= t) return EXPIRED;
  if (suspension) return { status: 'suspended', reason: suspension };
  return Math.min(revoked, expires) - t <= EXPIRING_SOON_MS ? EXPIRING_SOON : ACTIVE;
}

// Shared answers: the hot path allocates nothing for them.
const REVOKED = Object.freeze({ status: 'revoked', reason: null } as const);
const EXPIRED = Object.freeze({ status: 'expired', reason: null } as const);
const EXPIRING_SOON = Object.freeze({ status: 'expiring_soon', reason: null } as const);
const ACTIVE = Object.freeze({ status: 'active', reason: null } as const);
