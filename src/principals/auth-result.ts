import type { Principal } from './principal.js';

/** Reason codes of DESIGN §7. */
export type AuthFailureCode =
  | 'invalid_token'
  | 'key_revoked'
  | 'key_expired'
  | 'owner_inactive'
  | 'owner_left_group'
  | 'group_deleted'
  | 'idp_signal'
  | 'idp_logout'
  | 'session_expired'
  | 'session_ended'
  | 'too_many_attempts';

export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; status: 401 | 429; code: AuthFailureCode; message: string; retryAfterSeconds?: number };
