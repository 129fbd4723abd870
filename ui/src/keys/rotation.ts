/** Whether a key was rotated with a grace period and still works until it ends (the old key's revokedAt is ahead). */
export function beingReplaced(key: { revokedAt: string | null; status: string }): boolean {
  return key.revokedAt !== null && key.status !== 'revoked' && Date.parse(key.revokedAt) > Date.now();
}
