import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A sign-in session's secret (the cookie's value), and what is derived from it (DESIGN §10): the
 * database keeps only its SHA-256, and the CSRF token is another hash of it, so neither the
 * database nor a page script (the cookie is HttpOnly) holds enough to forge the other.
 */
export function newSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sessionDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function csrfTokenOf(secret: string): string {
  return createHash('sha256').update(`keyscope-csrf\0${secret}`).digest('base64url');
}

/** Constant-time comparison of an X-CSRF-Token header with the session's token. */
export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/** A cookie value that may be a session secret: 43 base64url characters, nothing else costs a lookup. */
export function looksLikeSessionSecret(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

/** The names of the cookies: `__Host-` (RFC 6265bis §4.1.3.2) binds them to this host when they are Secure. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-keyscope_session' : 'keyscope_session';
}

export function signInCookieName(secure: boolean): string {
  return secure ? '__Secure-keyscope_signin' : 'keyscope_signin';
}

/** One cookie's value from a Cookie header (RFC 6265 §5.4), undefined when absent. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
