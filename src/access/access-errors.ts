import { DomainError } from '../errors/domain-error.js';

/** The errors of the access API, each telling the caller what to change. */
export const accessErrors = {
  /**
   * A permission no rule can ever grant in this deployment (a typo, or an application permission
   * missing from KEYSCOPE_PERMISSIONS). It is an error rather than {allowed: false}: a service that
   * asks about a misspelt permission must find out, not deny every request as if by policy.
   */
  unknownPermission: (permission: string) =>
    new DomainError(
      'invalid',
      'unknown_permission',
      `Unknown permission "${permission}": it matches no permission this deployment knows (built-in or KEYSCOPE_PERMISSIONS); GET /api/v1/permissions lists them`,
      { errors: [{ field: 'permission', message: `Unknown: ${permission}` }] },
    ),
};
