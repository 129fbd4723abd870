import { DomainError, forbidden, invalid, notFound } from '../errors/domain-error.js';

/** The errors of sign-in and sessions (DESIGN §10). */
export const sessionErrors = {
  needsAdmin: () => forbidden('Sign-in settings need org:admin'),
  notConfigured: () => notFound('Sign-in with an identity provider is not configured for this organization'),
  publicUrlMissing: () =>
    invalid(
      'PUBLIC_URL is not set: keyscope cannot tell the identity provider where to send people back (set PUBLIC_URL, then save the sign-in settings)',
    ),
  secretRequired: () =>
    invalid('clientSecret is required (the identity provider gives it with the client id)', 'invalidValue', [
      { field: 'clientSecret', message: 'is required' },
    ]),
  discoveryFailed: (issuer: string, reason: string) =>
    new DomainError(
      'invalid',
      'sso_discovery_failed',
      `Could not read the OpenID Provider configuration of ${issuer} (${issuer.replace(/\/$/, '')}/.well-known/openid-configuration): ${reason}`,
      { errors: [{ field: 'issuer', message: reason }] },
    ),
};
