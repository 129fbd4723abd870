import type { KeyStatus, SuspensionReason } from '../api/types';

const LABELS: Record<KeyStatus, string> = {
  active: 'Active',
  expiring_soon: 'Expiring soon',
  expired: 'Expired',
  revoked: 'Revoked',
  suspended: 'Suspended',
};

const REASONS: Record<SuspensionReason, string> = {
  owner_inactive: 'owner deactivated',
  owner_left_group: 'owner left the group',
  group_deleted: 'group deleted',
};

const ORDER: readonly KeyStatus[] = ['active', 'expiring_soon', 'expired', 'revoked', 'suspended'];

export const STATUS_OPTIONS = ORDER.map((value) => ({ value, label: LABELS[value] }));

export function statusText(status: KeyStatus, reason: SuspensionReason | null): string {
  return status === 'suspended' && reason ? `${LABELS[status]}: ${REASONS[reason]}` : LABELS[status];
}

export function StatusBadge({ status, reason }: { status: KeyStatus; reason: SuspensionReason | null }) {
  return <span class={`badge badge-${status}`}>{statusText(status, reason)}</span>;
}
