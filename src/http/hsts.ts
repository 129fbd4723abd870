import type { NextFunction, Request, Response } from 'express';
import { strictTransportSecurity } from 'helmet';

/**
 * Strict-Transport-Security only on responses to requests that came over HTTPS: RFC 6797 §7.2 says
 * a host MUST NOT send it over plain HTTP. `req.secure` honours TRUST_PROXY: behind a trusted
 * TLS-terminating proxy X-Forwarded-Proto: https counts; without TRUST_PROXY no header can claim
 * https. The value is helmet's default (one year, includeSubDomains).
 */
export function hstsOverHttpsOnly() {
  const hsts = strictTransportSecurity();
  return function hstsOverHttpsOnlyMiddleware(req: Request, res: Response, next: NextFunction) {
    // Only a TLS socket or an X-Forwarded-Proto header can make a request secure: most skip req.secure.
    const mayBeSecure = (req.socket as { encrypted?: boolean }).encrypted || req.headers['x-forwarded-proto'];
    if (mayBeSecure && req.secure) return hsts(req, res, next);
    next();
  };
}
