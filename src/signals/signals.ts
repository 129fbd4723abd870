import { z } from 'zod';

/**
 * Signals in (issue 14, DESIGN §11): what identity providers tell keyscope outside SCIM. Okta
 * Universal Logout (Global Token Revocation) and Shared Signals push delivery (RFC 8417 Security
 * Event Tokens, RFC 8935), verified against keys the organization configured here.
 */

/** CAEP and RISC event types keyscope acts on (OpenID Shared Signals), and what each does. */
export const SET_EVENTS = {
  'https://schemas.openid.net/secevent/caep/event-type/session-revoked': 'suspend',
  'https://schemas.openid.net/secevent/caep/event-type/credential-change': 'suspend',
  'https://schemas.openid.net/secevent/risc/event-type/account-disabled': 'suspend',
  'https://schemas.openid.net/secevent/risc/event-type/account-purged': 'suspend',
  'https://schemas.openid.net/secevent/risc/event-type/account-enabled': 'restore',
  // SSF 1.0 §8.1.4: a transmitter checks the stream works; accepted, no effect.
  'https://schemas.openid.net/secevent/ssf/event-type/verification': 'none',
} as const satisfies Record<string, SignalEffect>;
export type SignalEffect = 'suspend' | 'restore' | 'none';

export const ON_SIGNAL = ['suspend_keys', 'end_sessions'] as const;
export type OnSignal = (typeof ON_SIGNAL)[number];

/** The algorithms a signal may be signed with: asymmetric only (never `none`, never HS*, RFC 8725 §3.1). */
export const SIGNAL_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

/** Members of a JWK that only a private (or symmetric) key has (RFC 7518 §6). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
}

const httpsUrl = z
  .string()
  .trim()
  .max(1000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || isLoopbackHttp(url)) && !url.username && !url.hash;
    } catch {
      return false;
    }
  }, 'must be an https:// URL (http:// only on 127.0.0.1, ::1 or localhost)');

const PublicJwk = z
  .object({ kty: z.enum(['RSA', 'EC', 'OKP'], 'must be RSA, EC or OKP (public keys only)') })
  .catchall(z.unknown())
  .superRefine((jwk, ctx) => {
    const secret = PRIVATE_MEMBERS.filter((m) => m in jwk);
    if (secret.length)
      ctx.addIssue({
        code: 'custom',
        message: `holds private key material (${secret.join(', ')}): give the public keys only`,
      });
  });

export const Jwks = z.object({ keys: z.array(PublicJwk).min(1, 'needs at least one key').max(50) }).strict();
export type Jwks = z.infer<typeof Jwks>;

/** Who signs: an issuer and its keys, at a URL (fetched, cached) or given inline. */
export const KeySource = z
  .object({
    issuer: z.string().trim().min(1, 'is required').max(500),
    jwksUri: httpsUrl.optional(),
    jwks: Jwks.optional(),
  })
  .strict()
  .refine((s) => (s.jwksUri === undefined) !== (s.jwks === undefined), {
    message: 'give exactly one of jwksUri or jwks',
  });
export type KeySource = z.infer<typeof KeySource>;

export const PutSignalsBody = z
  .object({
    transmitters: z.array(KeySource).max(20).default([]).describe('Shared Signals transmitters (push delivery)'),
    universalLogout: KeySource.nullable()
      .default(null)
      .describe('Okta Universal Logout: the Okta org URL as issuer, and its keys'),
    onSignal: z
      .enum(ON_SIGNAL)
      .default('suspend_keys')
      .describe('suspend_keys: end sessions and suspend personal keys; end_sessions: end sessions only'),
  })
  .strict()
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.transmitters.forEach((t, i) => {
      if (seen.has(t.issuer))
        ctx.addIssue({ code: 'custom', path: ['transmitters', i, 'issuer'], message: 'names an issuer twice' });
      seen.add(t.issuer);
    });
  });
export type PutSignalsInput = z.infer<typeof PutSignalsBody>;

export interface SignalSettings {
  transmitters: KeySource[];
  universalLogout: KeySource | null;
  onSignal: OnSignal;
}

export interface SignalSettingsRow {
  org_id: string;
  transmitters: KeySource[];
  universal_logout: KeySource | null;
  on_signal: OnSignal;
  updated_at: Date;
}

/** An RFC 9493 subject identifier, as keyscope matches it to a provisioned user. */
export type SubjectId =
  | { format: 'email'; email: string }
  | { format: 'iss_sub'; iss: string; sub: string }
  | { format: 'opaque'; id: string };

/** Where a signal came from, as the audit log says it. */
export type SignalSource = 'universal_logout' | 'ssf';

/**
 * Why a signal was refused, in keyscope's words; the routes turn each into the answer its protocol
 * gives (Universal Logout: a status code; Shared Signals: RFC 8935 §2.3's `err`).
 */
export type RefusalCode =
  | 'malformed'
  | 'invalid_token'
  | 'invalid_claims'
  | 'unknown_issuer'
  | 'wrong_audience'
  | 'unknown_subject'
  | 'ambiguous_subject'
  | 'unsupported_format'
  | 'unsupported_event'
  | 'keys_unavailable';

export type SignalOutcome =
  | { accepted: true; duplicate: boolean; suspended: string[]; restored: string[]; sessionsEnded: number }
  | { accepted: false; code: RefusalCode; description: string };
