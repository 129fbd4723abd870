import { DomainError, forbidden, invalid, notFound } from '../errors/domain-error.js';

/** The errors of the groups domain, each telling the caller what to change. */
export const groupErrors = {
  notFound: (id: string) => notFound(`Group ${id} not found`),
  needsPermission: (permission: string) => forbidden(`This key lacks the ${permission} permission`),
  rulesBeyondCaller: (missing: string[]) =>
    forbidden(`These rules would grant ${missing.join(', ')}, which this key does not hold`),
  changeBeyondCaller: (missing: string[]) =>
    forbidden(
      `This group grants ${missing.join(', ')}, which this key does not hold; only an org:admin, or a key holding as much, may change or delete it`,
    ),
  scimManaged: () =>
    new DomainError('conflict', 'scim_managed', 'This group is synced by the identity provider; change it there'),
  deletesOwnGroup: () => invalid('A key cannot delete the group it belongs to'),
  unknownRole: (i: number, role: string, roles: string[]) =>
    invalid(`rules[${i}].role "${role}" is not a role; roles are ${roles.join(', ')}`, 'invalidValue', [
      { field: `rules.${i}.role`, message: `Choose one of ${roles.join(', ')}` },
    ]),
  invalidCondition: (i: number, problem: string) =>
    invalid(`rules[${i}].when is not a condition on the user: ${problem}`, 'invalidFilter', [
      { field: `rules.${i}.when`, message: problem },
    ]),
  unknownMembers: (shown: string, more: number, count: number) =>
    invalid(
      `members: ${shown}${more > 0 ? ` and ${more} more` : ''} ${count === 1 ? 'is not a user or group' : 'are not users or groups'} of this organization`,
    ),
  cycle: (groupId: string) => invalid(`members: adding group ${groupId} would make the group contain itself (a cycle)`),
  invalidCursor: () =>
    invalid('The cursor is not one this server issued', 'invalidValue', [
      { field: 'cursor', message: 'Start again without a cursor' },
    ]),
};

/** The errors of an organization's roles (/api/v1/roles). */
export const roleErrors = {
  notFound: (name: string) => notFound(`Role ${name} not found`),
  needsPermission: (permission: string) => forbidden(`This key lacks the ${permission} permission`),
  builtin: (name: string) =>
    new DomainError(
      'invalid',
      'role_builtin',
      `${name} is a built-in role; it cannot be defined, changed or deleted (define a role of another name)`,
      { scimType: 'invalidValue', errors: [{ field: 'name', message: 'is a built-in role' }] },
    ),
  taken: (name: string) =>
    new DomainError('conflict', 'role_exists', `A role named ${name} already exists; change it with PATCH`),
  platformPermission: (names: string[]) =>
    invalid(
      `permissions: ${names.join(', ')} ${names.length > 1 ? 'are platform permissions' : 'is a platform permission'}, which no organization's role may hold`,
      'invalidValue',
      [{ field: 'permissions', message: `Not allowed: ${names.join(', ')}` }],
    ),
  beyondCaller: (missing: string[]) =>
    forbidden(`This role would grant ${missing.join(', ')}, which this key does not hold`),
  inUse: (name: string, groups: { id: string; displayName: string }[]) =>
    new DomainError(
      'conflict',
      'role_in_use',
      `Role ${name} is named by the rules of ${groups.length === 1 ? 'group' : 'groups'} ${groups
        .map((g) => `"${g.displayName}" (${g.id})`)
        .join(', ')}; change those rules first (PUT /api/v1/groups/:id/rules)`,
    ),
};
