import { forbidden, invalid, uniqueness } from '../errors/domain-error.js';

/** The errors of the signals settings (the signals themselves are answered in their protocols' words). */
export const signalErrors = {
  needsAdmin: () => forbidden("Only keys with org:admin may read or change the organization's signal settings"),
  jwksUnreachable: (field: string, why: string) =>
    invalid(`${field}: the JWKS could not be read (${why})`, 'invalidValue', [
      { field, message: `The JWKS could not be read: ${why}` },
    ]),
  issuerTaken: () =>
    uniqueness(
      'Another organization already receives Universal Logout from this issuer: a logout token names only its issuer, so each issuer serves one organization',
    ),
};
