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
  idp_signal: 'identity provider signal',
  idp_logout: 'identity provider logout',
};

const ORDER: readonly KeyStatus[] = ['active', 'expiring_soon', 'expired', 'revoked', 'suspended'];

export const STATUS_OPTIONS = ORDER.map((value) => ({ value, label: LABELS[value] }));

/** The status as a badge; a suspension's reason follows it as plain text ("Suspended: owner deactivated"). */
export function StatusBadge({ status, reason }: { status: KeyStatus; reason: SuspensionReason | null }) {
  if (status !== 'suspended' || !reason) return <span class={`badge badge-${status}`}>{LABELS[status]}</span>;
  return (
    <span class="status">
      <span class="badge badge-suspended">{LABELS.suspended}</span>
      <span class="visually-hidden">: </span>
      <span class="status-reason">{REASONS[reason]}</span>
    </span>
  );
}
