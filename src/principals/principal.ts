import type { KeyKind, KeyStatus, SuspensionReason } from './key-status.js';
import { statusOf } from './key-status.js';
import type { Grant } from './permissions.js';
import { can } from './permissions.js';

/** Who a verified key is and what it may do, as resolved from the database at one moment. */
export interface Principal {
  orgId: string;
  orgName: string;
  keyId: string;
  keyName: string;
  kind: KeyKind;
  groupId: string | null;
  groupName: string | null;
  ownerUserId: string | null;
  ownerUserName: string | null;
  scim: boolean;
  /** An impersonation key (issue 12): may exchange itself for tokens of other users. */
  impersonation?: boolean;
  bootstrap: boolean;
  /** The key's own explicit subset, if any. */
  permissions: string[] | null;
  /** What the key may do: its group's (or owner's) rules, nested groups included, narrowed by `permissions`. */
  grant: Grant;
  /**
   * The conditional rules the key draws on (issue 13), each with its condition on the person the key
   * acts for and whether it held when the key was resolved (those that held are in `grant`).
   */
  conditions?: readonly ConditionOutcome[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  issuedAt: Date;
  suspension: SuspensionReason | null;
  /**
   * Set when the caller presented one of keyscope's own signed tokens (RFC 8693 token exchange)
   * instead of the key: the grant above is then the token's, and the owner its subject.
   */
  signedToken?: SignedTokenInfo;
  /**
   * Set when a person signed in with their identity provider carries the request (a session cookie,
   * DESIGN §10): the principal is then their user, resolved like a personal key of theirs
   * (`ownerUserId`), and `keyId` is the session's id.
   */
  session?: SessionInfo;
}

/** A sign-in session as the access API and the audit log see it (never its secret). */
export interface SessionInfo {
  id: string;
  userDisplayName: string | null;
  /** What state-changing requests must send as X-CSRF-Token. */
  csrfToken: string;
  createdAt: Date;
  /** The absolute end of the session. */
  expiresAt: Date;
}

/** A conditional rule as one key sees it: what it grants, its condition, whether that holds now. */
export interface ConditionOutcome {
  permission?: string;
  role?: string;
  resources: string[] | null;
  when: string;
  holds: boolean;
}

/** The claims of a verified keyscope JWT that the access API reports. */
export interface SignedTokenInfo {
  jti: string;
  iss: string;
  sub: string;
  aud: string | string[];
  iat: number;
  exp: number;
  scope: string;
  /** RFC 8693 §4.1: the impersonation key acting for the subject. */
  act?: { sub: string };
}

export function principalStatus(p: Principal, now: Date): { status: KeyStatus; reason: SuspensionReason | null } {
  return statusOf({ expiresAt: p.expiresAt, revokedAt: p.revokedAt }, p.suspension, now);
}

export function principalCan(p: Principal, permission: string, resource?: string): boolean {
  return can(p.grant, permission, resource);
}

export function isOrgAdmin(p: Principal): boolean {
  return can(p.grant, 'org:admin');
}

/** How the audit log and `createdBy` name this key. */
export function actorOf(p: Principal): { id: string; name: string } {
  // A person in a session is named as themselves (issue 11).
  if (p.session && p.ownerUserId) return { id: `user:${p.ownerUserId}`, name: `${p.ownerUserName} (via sign-in)` };
  const who = p.ownerUserName ? `${p.ownerUserName} (key "${p.keyName}")` : `key "${p.keyName}"`;
  return { id: `key:${p.keyId}`, name: who };
}
