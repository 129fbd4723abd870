import { STATUS_CODES } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { translateDbError } from '../db/pg-errors.js';
import { DomainError, type ErrorKind } from '../errors/domain-error.js';
import { HttpError } from './http-error.js';

export type ErrorFormat = 'scim' | 'problem';

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

interface BodyParserError {
  type: string;
  status: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    typeof error === 'object' &&
    error !== null &&
    'type' in error &&
    'status' in error &&
    typeof (error as BodyParserError).type === 'string'
  );
}

const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  unavailable: 503,
};

/** A domain error as HTTP: the one place a kind becomes a status. */
export function fromDomainError(error: DomainError): HttpError {
  const { scimType, errors, retryAfterSeconds } = error.options;
  return new HttpError(STATUS_OF_KIND[error.kind], error.code, error.message, {
    scimType,
    errors,
    ...(retryAfterSeconds !== undefined ? { headers: { 'Retry-After': String(retryAfterSeconds) } } : {}),
  });
}

/** Everything a client can cause becomes an HttpError; anything else is a server fault. */
export function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof DomainError) return fromDomainError(error);
  // The router cannot decode a path like /Users/%E0%A4%A.
  if (error instanceof URIError)
    return new HttpError(400, 'invalid_syntax', 'The URL path is not valid percent-encoding', {
      scimType: 'invalidSyntax',
    });
  if (isBodyParserError(error)) {
    switch (error.type) {
      case 'entity.parse.failed':
        return new HttpError(400, 'invalid_syntax', 'The body is not valid JSON', { scimType: 'invalidSyntax' });
      case 'entity.too.large':
        return new HttpError(413, 'payload_too_large', 'The body is larger than 1 MB');
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return new HttpError(415, 'unsupported_media_type', 'Send the body as UTF-8 JSON');
      case 'request.aborted':
        return new HttpError(400, 'request_aborted', 'The request was aborted');
      default:
        if (error.status >= 400 && error.status < 500)
          return new HttpError(error.status, 'bad_request', 'The body could not be read');
    }
  }
  // body-parser wraps what the stream reports (a corrupt gzip, deflate or br body) as a 400 of its own.
  if (isClientHttpError(error))
    return new HttpError(400, 'bad_request', 'The body could not be read (is its Content-Encoding right?)', {
      scimType: 'invalidSyntax',
    });
  const translated = translateDbError(error);
  return translated ? fromDomainError(translated) : undefined;
}

function isClientHttpError(error: unknown): boolean {
  const e = error as { status?: unknown; expose?: unknown } | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.status === 'number' &&
    e.status >= 400 &&
    e.status < 500 &&
    e.expose === true
  );
}

export function renderError(res: Response, error: HttpError, format: ErrorFormat): void {
  for (const [name, value] of Object.entries(error.options.headers ?? {})) res.setHeader(name, value);
  if (format === 'scim') {
    res.status(error.status).type(SCIM_CONTENT_TYPE);
    res.send(
      JSON.stringify({
        schemas: [SCIM_ERROR_SCHEMA],
        status: String(error.status),
        ...(error.options.scimType ? { scimType: error.options.scimType } : {}),
        detail: error.message,
      }),
    );
    return;
  }
  // RFC 9457 problem details
  res.status(error.status).type('application/problem+json');
  res.send(
    JSON.stringify({
      type: 'about:blank',
      title: STATUS_CODES[error.status] ?? 'Error',
      status: error.status,
      detail: error.message,
      code: error.code,
      ...(error.options.errors ? { errors: error.options.errors } : {}),
    }),
  );
}

/** The one error mapper: known errors as the client's format, unknown ones logged and answered as a plain 500. */
export function errorHandler(logger: Logger, format: ErrorFormat) {
  // Express recognises error middleware by its four parameters.
  return function errorHandlerMiddleware(error: unknown, req: Request, res: Response, _next: NextFunction) {
    const known = toHttpError(error);
    if (res.headersSent) {
      logger.error({ reqId: req.id, err: describe(error) }, 'error after the response started');
      res.destroy();
      return;
    }
    if (known) return renderError(res, known, format);
    logger.error({ reqId: req.id, err: describe(error) }, 'unexpected error');
    renderError(res, new HttpError(500, 'internal_error', `Internal server error (request id ${req.id})`), format);
  };
}

function describe(error: unknown): { message: string; stack?: string; code?: string } {
  if (error instanceof Error)
    return { message: error.message, stack: error.stack, code: (error as { code?: string }).code };
  return { message: String(error) };
}
