/**
 * The one HTTP error type, for what only the HTTP adapters know (a missing credential, a body too
 * large, an unknown route). The domain throws DomainError (errors/); the error mapper renders both.
 */

import { codeOfScimType, type FieldError, type ScimType } from '../errors/domain-error.js';

export type { FieldError, ScimType };

export interface HttpErrorOptions {
  scimType?: ScimType;
  headers?: Record<string, string>;
  /** Per-field messages, so a client can show each next to its input. */
  errors?: FieldError[];
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    /** Stable machine-readable code, e.g. `invalid_token`, `not_found`, `uniqueness`. */
    readonly code: string,
    message: string,
    readonly options: HttpErrorOptions = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (detail: string, scimType: ScimType = 'invalidValue', errors?: FieldError[]) =>
  new HttpError(400, codeOfScimType(scimType), detail, { scimType, errors });

export const notFound = (detail = 'Resource not found') => new HttpError(404, 'not_found', detail);

export const conflict = (detail: string) => new HttpError(409, 'uniqueness', detail, { scimType: 'uniqueness' });

export const forbidden = (detail: string) => new HttpError(403, 'forbidden', detail);

export const preconditionFailed = (detail = 'The resource changed: its version no longer matches If-Match') =>
  new HttpError(412, 'precondition_failed', detail);
