/** What a key is and the states it can be in (DESIGN §4), known to everyone who checks one. */
export type KeyKind = 'service' | 'personal';
export type KeyStatus = 'active' | 'expiring_soon' | 'expired' | 'revoked' | 'suspended';
export type SuspensionReason = 'owner_inactive' | 'owner_left_group' | 'group_deleted' | SignalSuspensionReason;
/**
 * Suspensions an identity provider's signal stored (issue 14, DESIGN §11): Okta Universal Logout
 * (idp_logout) or a Shared Signals event (idp_signal). Only these are ever restored.
 */
export type SignalSuspensionReason = 'idp_signal' | 'idp_logout';

export const SUSPENSION_REASONS = [
  'idp_signal',
  'idp_logout',
  'owner_inactive',
  'owner_left_group',
  'group_deleted',
] as const satisfies readonly SuspensionReason[];

export const KEY_STATUSES = [
  'active',
  'expiring_soon',
  'expired',
  'revoked',
  'suspended',
] as const satisfies readonly KeyStatus[];
export const EXPIRING_SOON_MS = 7 * 24 * 3600 * 1000;

export interface KeyTimes {
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** Status from the clock and the suspension the database computed; revoked and expired win over suspended. */
export function statusOf(
  times: KeyTimes,
  suspension: SuspensionReason | null,
  now: Date,
): { status: KeyStatus; reason: SuspensionReason | null } {
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
