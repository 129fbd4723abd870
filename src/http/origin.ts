import type { Request } from 'express';

/**
 * The base URL a request came to (scheme and host, as TRUST_PROXY lets Express see them): the issuer
 * of keyscope's tokens when PUBLIC_URL is not set.
 */
export function requestOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
