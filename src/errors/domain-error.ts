/**
 * The errors services, stores, db/ and the SCIM attribute language throw (DESIGN §2). They say what
 * went wrong in the domain's terms: a kind, a stable snake_case code, a message for people, the
 * fields at fault and, for SCIM clients, a scimType. Only http/ (and the SCIM adapter) turns them
 * into status codes, RFC 9457 problem details or SCIM errors. This folder imports nothing.
 */

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

export type ErrorKind =
  /** The input is wrong: change it. */
  | 'invalid'
  /** The caller may not do this. */
  | 'forbidden'
  | 'not_found'
  /** The input is right but clashes with the current state (taken name, revoked key, limit reached). */
  | 'conflict'
  /** The resource changed since the caller read it (If-Match). */
  | 'precondition_failed'
  /** Not the caller's fault: retry shortly. */
  | 'unavailable';

export interface DomainErrorOptions {
  scimType?: ScimType;
  /** Per-field messages, so a client can show each next to its input. */
  errors?: FieldError[];
  /** For `unavailable`: when a retry may succeed. */
  retryAfterSeconds?: number;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Stable and machine-readable, snake_case: `invalid_value`, `key_inactive`, `rotation_pending`. */
    readonly code: string,
    message: string,
    readonly options: DomainErrorOptions = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** `invalidValue` → `invalid_value`: the code a scimType gives in the admin API. */
export function codeOfScimType(scimType: ScimType): string {
  return scimType.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Bad input; the code follows the scimType (`invalid_value`, `invalid_filter`, `invalid_path`…). */
export const invalid = (detail: string, scimType: ScimType = 'invalidValue', errors?: FieldError[]) =>
  new DomainError('invalid', codeOfScimType(scimType), detail, { scimType, errors });

export const notFound = (detail = 'Resource not found') => new DomainError('not_found', 'not_found', detail);

export const forbidden = (detail: string) => new DomainError('forbidden', 'forbidden', detail);

/** A value that must be unique is taken (RFC 7644 §3.3: 409 uniqueness). */
export const uniqueness = (detail: string) =>
  new DomainError('conflict', 'uniqueness', detail, { scimType: 'uniqueness' });

export const preconditionFailed = (detail = 'The resource changed: its version no longer matches If-Match') =>
  new DomainError('precondition_failed', 'precondition_failed', detail);
