/** The one HTTP error type. Routes and services throw it; the error mapper renders it as SCIM or problem+json. */

/** RFC 7644 §3.12 Table 9, plus RFC 9865 §2.3 (cursors). */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  | 'invalidCursor'
  | 'expiredCursor';

export interface FieldError {
  field: string;
  message: string;
}

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
  new HttpError(400, scimType, detail, { scimType, errors });

export const notFound = (detail = 'Resource not found') => new HttpError(404, 'not_found', detail);

export const conflict = (detail: string) => new HttpError(409, 'uniqueness', detail, { scimType: 'uniqueness' });

export const forbidden = (detail: string) => new HttpError(403, 'forbidden', detail);

export const preconditionFailed = (detail = 'The resource changed: its version no longer matches If-Match') =>
  new HttpError(412, 'precondition_failed', detail);
