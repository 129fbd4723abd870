import { z } from 'zod';

export { cookieValue, sessionCookieName, signInCookieName } from '../principals/session-token.js';

/** How long a sign-in may take at the identity provider before it must start again. */
export const SIGNIN_ATTEMPT_MS = 10 * 60_000;

/** Where a sign-in lands when it was not told, or was told somewhere it may not go. */
export const DEFAULT_RETURN_TO = '/ui/';

export const SIGNIN_ATTRIBUTES = ['userName', 'externalId', 'emails'] as const;
export type SignInAttributeName = (typeof SIGNIN_ATTRIBUTES)[number];

/** An organization's sign-in settings as stored (the secret sealed). */
export interface SsoSettingsRow {
  org_id: string;
  issuer: string;
  client_id: string;
  client_secret: string;
  claim: string;
  attribute: SignInAttributeName;
  updated_at: Date;
}

/** What `GET /api/v1/organizations/current/sso` answers: never the secret. */
export interface SsoSettings {
  enabled: true;
  issuer: string;
  clientId: string;
  hasClientSecret: boolean;
  claim: string;
  attribute: SignInAttributeName;
  redirectUri: string | null;
  updatedAt: string;
}

export interface SessionRow {
  id: string;
  org_id: string;
  user_id: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
}

export interface SignInAttemptRow {
  org_id: string;
  state: string;
  nonce: string;
  code_verifier: string;
  return_to: string;
  expires_at: Date;
}

/**
 * An http issuer is accepted only on the loopback interface (a provider on the same machine, as in
 * tests and local trials): anywhere else the discovery document, keys and tokens would cross the
 * network in clear. openid-client refuses http unless told (allowInsecureRequests); it is told so
 * for loopback issuers only.
 */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
}

const issuer = z
  .string()
  .trim()
  .max(500)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || isLoopbackHttp(url)) && !url.search && !url.hash && !url.username;
    } catch {
      return false;
    }
  }, 'must be an https:// URL without query or fragment (http:// only for a provider on 127.0.0.1, ::1 or localhost)');

export const PutSsoBody = z
  .object({
    issuer,
    clientId: z.string().trim().min(1, 'is required').max(500),
    clientSecret: z.string().min(1, 'must not be empty').max(2000).optional(),
    claim: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be the name of an ID token claim (preferred_username, email, upn...)')
      .default('preferred_username'),
    attribute: z.enum(SIGNIN_ATTRIBUTES).default('userName'),
  })
  .strict();
export type PutSsoInput = z.infer<typeof PutSsoBody>;

export const LoginQuery = z.object({
  org: z.string().trim().min(1, 'is required: the organization id or name').max(200),
  returnTo: z.string().max(2000).optional(),
});

/**
 * Only a path on this site: starting with one `/` and not `//` or `/\` (which browsers read as
 * another host), printable ASCII only, no backslash anywhere. Anything else lands on /ui/.
 */
export function safeReturnTo(value: string | undefined): string {
  if (!value) return DEFAULT_RETURN_TO;
  if (!/^\/(?![/\\])[\x21-\x7e]*$/.test(value) || value.includes('\\')) return DEFAULT_RETURN_TO;
  return value;
}
