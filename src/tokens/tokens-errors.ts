import { DomainError } from '../errors/domain-error.js';

/** RFC 6749 §5.2 and RFC 8693 §2.2.2: the error codes of the token endpoint. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target';

/** An error the token endpoint answers as `{error, error_description}` (RFC 6749 §5.2), not problem details. */
export class OAuthError extends DomainError {
  constructor(
    readonly error: OAuthErrorCode,
    description: string,
  ) {
    super(error === 'invalid_client' ? 'forbidden' : 'invalid', error, description);
    this.name = 'OAuthError';
  }
}

/** The errors of the tokens domain, each telling the caller what to change. */
export const tokenErrors = {
  invalidRequest: (description: string) => new OAuthError('invalid_request', description),
  invalidClient: (description: string) => new OAuthError('invalid_client', description),
  unsupportedGrantType: (grantType: string) =>
    new OAuthError(
      'unsupported_grant_type',
      `grant_type "${grantType.slice(0, 100)}" is not supported; use urn:ietf:params:oauth:grant-type:token-exchange`,
    ),
  notImpersonationKey: () =>
    new OAuthError(
      'unauthorized_client',
      'This key is not an impersonation key: only keys created with impersonation: true may ask for another user (requested_subject)',
    ),
  unknownSubject: () =>
    new OAuthError(
      'invalid_request',
      'requested_subject is not an active user of this organization (give its id or userName)',
    ),
  invalidScope: (description: string) => new OAuthError('invalid_scope', description),
  invalidTarget: (description: string) => new OAuthError('invalid_target', description),
  /** The private signing key is sealed and this process cannot open it. */
  signingKeyUnavailable: (why: string) =>
    new DomainError('unavailable', 'signing_key_unavailable', `No signing key can be used: ${why}`, {
      retryAfterSeconds: 30,
    }),
};
