import { z } from 'zod';

/** RFC 8693 §2.1 and §3: the grant type and the token types keyscope takes and issues. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

/** Issued tokens live at most 15 minutes (issue 12), 5 by default. */
export const MAX_TOKEN_LIFETIME_SECONDS = 900;
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 300;
/** The one signing algorithm: ECDSA P-256 with SHA-256 (RFC 7518 §3.4). */
export const SIGNING_ALG = 'ES256';
/** A signing key is replaced when it is this old (checked lazily, when a token is signed). */
export const SIGNING_KEY_MAX_AGE_MS = 30 * 24 * 3600 * 1000;
/** A retired key stays published until every token it signed has expired. */
export const RETIRED_KEY_PUBLISHED_MS = MAX_TOKEN_LIFETIME_SECONDS * 1000;

/** A public JWK as published (RFC 7517); private members never leave the signing-keys store. */
export interface PublicJwk {
  kty: string;
  crv?: string;
  x?: string;
  y?: string;
  kid: string;
  alg: string;
  use: 'sig';
}

export interface SigningKeyRow {
  kid: string;
  alg: string;
  public_jwk: PublicJwk;
  /** The private JWK as JSON, or sealed (see signing-keys.ts). */
  private_jwk: string;
  created_at: Date;
  retired_at: Date | null;
}

/** The claims keyscope puts in the tokens it issues (issue 12 §3; RFC 8693 §4.1 for `act`). */
export interface KeyscopeClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  scope: string;
  org: string;
  key_id: string;
  client_id: string;
  act?: { sub: string };
}

/** RFC 8693 §2.2.1. */
export interface TokenResponse {
  access_token: string;
  issued_token_type: typeof JWT_TOKEN_TYPE;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

const param = (max: number) => z.string().max(max, `must be at most ${max} characters`);

/**
 * RFC 8693 §2.1 request parameters, form-encoded or JSON. RFC 6749 §3.2: a parameter may not be
 * sent twice (a repeated form field parses as an array and is refused), except `audience`
 * (RFC 8693 §2.1 allows several). Unknown parameters are ignored (RFC 6749 §3.2).
 */
export const TokenRequestBody = z.object({
  grant_type: param(200),
  subject_token: param(1000),
  subject_token_type: param(200),
  requested_token_type: param(200).optional(),
  requested_subject: param(300).min(1, 'must not be empty').optional(),
  scope: param(4000).optional(),
  audience: z.union([param(300), z.array(param(300)).max(5, 'at most 5 audiences')]).optional(),
  resource: z.union([param(1000), z.array(param(1000))]).optional(),
  expires_in: z.union([param(10), z.number()]).optional(),
});
export type TokenRequest = z.infer<typeof TokenRequestBody>;
