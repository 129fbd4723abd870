import { invalid } from '../errors/domain-error.js';
import type { IdpVocabulary } from './idp-grant.js';
import { BUILTIN_PERMISSIONS, PLATFORM_PERMISSIONS, ROLES, isPattern, type PermissionInfo } from './permissions.js';

/** The permissions this deployment knows: the built-ins plus the application's (KEYSCOPE_PERMISSIONS). */
export class PermissionCatalogue implements IdpVocabulary {
  readonly permissions: readonly PermissionInfo[];
  private readonly resources: Set<string>;
  private readonly names: Set<string>;

  constructor(extra: readonly string[]) {
    const builtinNames = new Set(BUILTIN_PERMISSIONS.map((p) => p.name));
    this.permissions = [
      ...BUILTIN_PERMISSIONS,
      ...extra
        .filter((p) => !builtinNames.has(p))
        .map((name) => ({ name, description: 'Application permission', builtin: false })),
    ];
    this.names = new Set(this.permissions.map((p) => p.name));
    this.resources = new Set(this.permissions.map((p) => p.name.split(':')[0]!));
  }

  roles(): { name: string; permissions: readonly string[] }[] {
    return Object.entries(ROLES).map(([name, permissions]) => ({ name, permissions }));
  }

  /** A role name, as group rules and the identity provider's `roles` name it. */
  isRole(value: string): boolean {
    return Object.hasOwn(ROLES, value);
  }

  /**
   * The permissions an identity provider may assign as entitlements (/scim/v2/Entitlements): every
   * known permission but the platform ones, which belong to no single organization.
   */
  entitlements(): readonly PermissionInfo[] {
    return this.permissions.filter((p) => !PLATFORM_PERMISSIONS.has(p.name));
  }

  /** A permission (no pattern) an identity provider may assign as an entitlement. */
  isEntitlement(value: string): boolean {
    return this.names.has(value) && !PLATFORM_PERMISSIONS.has(value);
  }

  /** A permission or pattern that can match something this deployment knows. */
  isKnown(pattern: string): boolean {
    if (!isPattern(pattern)) return false;
    if (pattern === '*' || this.names.has(pattern)) return true;
    const [resource, action] = pattern.split(':') as [string, string];
    if (action === '*') return this.resources.has(resource);
    if (resource === '*') return this.permissions.some((p) => p.name.endsWith(`:${action}`));
    return false;
  }

  /** Checks a list of permissions; throws a 400 naming the unknown ones and the field. */
  assertKnown(patterns: readonly string[], field: string): void {
    const unknown = patterns.filter((p) => !this.isKnown(p));
    if (unknown.length) {
      throw invalid(
        `Unknown permission${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}; GET /api/v1/permissions lists the known ones`,
        'invalidValue',
        [{ field, message: `Unknown: ${unknown.join(', ')}` }],
      );
    }
  }
}
