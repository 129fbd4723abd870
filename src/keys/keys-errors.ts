import { DomainError, forbidden, invalid, notFound } from '../errors/domain-error.js';

/** The errors of the keys domain, each telling the caller what to change. */
export const keyErrors = {
  notFound: (id: string) => notFound(`API key ${id} not found`),
  unknownGroup: (groupId: string) =>
    invalid(`groupId "${groupId}" is not a group of this organization`, 'invalidValue', [
      { field: 'groupId', message: 'No such group in this organization' },
    ]),
  unknownOwner: (userId: string) =>
    invalid(`ownerUserId "${userId}" is not a user of this organization`, 'invalidValue', [
      { field: 'ownerUserId', message: 'No such user in this organization' },
    ]),
  ownerInactive: (userId: string) =>
    invalid(`The owner ${userId} is deactivated; a personal key for them would not work`, 'invalidValue', [
      { field: 'ownerUserId', message: 'This user is deactivated' },
    ]),
  ownerNotInGroup: (groupName: string) =>
    invalid(
      `The key's owner is not a member of group "${groupName}"; choose a group the owner belongs to`,
      'invalidValue',
      [{ field: 'groupId', message: 'The owner is not a member of this group' }],
    ),
  ownerRequired: () =>
    invalid('A personal key needs ownerUserId when created by a service key', 'invalidValue', [
      { field: 'ownerUserId', message: 'Choose the user this key belongs to' },
    ]),
  personalOnly: (field: string) =>
    invalid(`${field} applies to personal keys only`, 'invalidValue', [{ field, message: 'Only for personal keys' }]),
  serviceOnly: () =>
    invalid('Only service keys can move to another group', 'invalidValue', [
      { field: 'groupId', message: 'Only service keys can move' },
    ]),
  restoreNeedsAdmin: () =>
    forbidden(
      "Only keys with org:admin may restore keys an identity provider's signal suspended: it overrides the identity provider",
    ),
  scimNeedsAdmin: () => forbidden('Only keys with org:admin may create keys with the SCIM flag'),
  impersonationNeedsPermission: () =>
    forbidden(
      'Only keys with org:admin or keys:impersonate may create or rotate impersonation keys: such a key can obtain tokens acting as any user of the organization',
    ),
  impersonationFixed: (current: boolean) =>
    new DomainError(
      'invalid',
      'impersonation_fixed',
      `impersonation is fixed when a key is created (this key's is ${current}); create a new key ${current ? 'without' : 'with'} it and revoke this one`,
      { scimType: 'mutability', errors: [{ field: 'impersonation', message: 'Cannot be changed after creation' }] },
    ),
  changeScimNeedsAdmin: () => forbidden('Only keys with org:admin may change or revoke a key with the SCIM flag'),
  changeBeyondCaller: (missing: string[]) =>
    forbidden(
      `This key grants ${missing.join(', ')}, which yours does not hold; only an org:admin, or a key holding as much, may change or revoke it`,
    ),
  needsPermission: (permission: string, what: string) => forbidden(`${what} needs the ${permission} permission`),
  selfServiceOff: (what: string) =>
    forbidden(
      `${what} needs the keys:write permission: this organization has turned self-service keys off (policy selfServiceKeys)`,
    ),
  escalation: (missing: string[]) =>
    forbidden(
      `The new key would grant ${missing.join(', ')}, which this key does not hold; keys cannot grant more than their creator`,
    ),
  forAnotherUserNeedsAdmin: (what: string) =>
    forbidden(
      `${what} needs org:admin: the token would act as that person, and grow with whatever their groups grant them later`,
    ),
  rotationExtendsLife: (expiresAt: Date) =>
    new DomainError(
      'forbidden',
      'rotation_extends_life',
      `A rotation may not outlive the key it replaces (it expires ${expiresAt.toISOString()}); choose an earlier expiry, or ask an org:admin to rotate it`,
      { errors: [{ field: 'expiration', message: `Choose an expiry up to ${expiresAt.toISOString()}` }] },
    ),
  rotationPending: (revokeAt: Date) =>
    new DomainError(
      'conflict',
      'rotation_pending',
      `This key is already being replaced: it is revoked at ${revokeAt.toISOString()}; use the key that replaced it`,
    ),
  expiredNeedsAdmin: () =>
    new DomainError(
      'conflict',
      'key_inactive',
      'This key has expired; only an org:admin may rotate an expired key. Create a new key instead',
    ),
  limitReached: (max: number) =>
    new DomainError(
      'conflict',
      'key_limit_reached',
      `This organization has reached its limit of ${max} active keys; revoke keys it no longer uses, or ask an admin to raise the limit`,
    ),
  inactive: (status: string) =>
    new DomainError('conflict', 'key_inactive', `This key is ${status}; it can no longer be changed`),
  revokedCannotRotate: () =>
    new DomainError('conflict', 'key_inactive', 'A revoked key cannot be rotated; create a new key instead'),
  lifetimeNotAllowed: () =>
    invalid(
      "This key's lifetime is no longer allowed by the organization's policy; give expiration or expiresAt for the new key",
      'invalidValue',
      [{ field: 'expiration', message: 'Choose an expiration the policy allows' }],
    ),
  invalidCursor: () =>
    invalid('The cursor is not one this server issued', 'invalidValue', [
      { field: 'cursor', message: 'Start again without a cursor' },
    ]),
};
