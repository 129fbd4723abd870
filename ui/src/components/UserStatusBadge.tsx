/** A provisioned user's `active`: true, false, or null when the identity provider unassigned them. */
export function userStatusLabel(active: boolean | null): string {
  if (active === true) return 'Active';
  return active === false ? 'Inactive' : 'Unassigned';
}

export function UserStatusBadge({ active }: { active: boolean | null }) {
  const tone = active === true ? 'active' : active === false ? 'revoked' : 'expired';
  return <span class={`badge badge-${tone}`}>{userStatusLabel(active)}</span>;
}
