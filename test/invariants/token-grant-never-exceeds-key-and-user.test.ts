import fc from 'fast-check';
import { can, intersect, isSubset, narrow, type Grant } from '../../src/principals/permissions.js';

/**
 * DESIGN §9 for token exchange: an impersonation token's grant is what both the key and the user
 * hold (intersect), narrowed to its scope. As a property over random grants with wildcards,
 * resource lists and the platform permission: it is a subset of each, and it allows a concrete
 * permission on a resource exactly when both do.
 */
const PATTERNS = ['*', 'reports:*', 'reports:read', 'reports:write', '*:read', 'keys:read', 'org:admin', 'orgs:create'];
const CONCRETE = ['reports:read', 'reports:write', 'keys:read', 'keys:write', 'org:admin', 'orgs:create'];
const RESOURCES = ['r1', 'r2', 'r3'];

const entry = fc.record({
  permission: fc.constantFrom(...PATTERNS),
  resources: fc.option(fc.uniqueArray(fc.constantFrom(...RESOURCES), { minLength: 1 }), { nil: null }),
});
const grant: fc.Arbitrary<Grant> = fc.array(entry, { maxLength: 5 });

describe('the grant of an impersonation token', () => {
  it('never exceeds the key nor the user, and allows exactly what both allow', () => {
    fc.assert(
      fc.property(grant, grant, (key, user) => {
        const both = intersect(key, user);
        expect(isSubset(both, key)).toBe(true);
        expect(isSubset(both, user)).toBe(true);
        for (const permission of CONCRETE)
          for (const resource of [undefined, ...RESOURCES])
            expect({ permission, resource, allowed: can(both, permission, resource) }).toEqual({
              permission,
              resource,
              allowed: can(key, permission, resource) && can(user, permission, resource),
            });
      }),
      { seed: 12, numRuns: 500 },
    );
  });

  it('narrowed to a scope, stays within both', () => {
    fc.assert(
      fc.property(grant, grant, fc.uniqueArray(fc.constantFrom(...PATTERNS), { maxLength: 4 }), (key, user, scope) => {
        const token = narrow(intersect(key, user), scope);
        expect(isSubset(token, key) && isSubset(token, user)).toBe(true);
      }),
      { seed: 12, numRuns: 500 },
    );
  });
});
