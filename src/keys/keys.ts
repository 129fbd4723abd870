import type { KeyKind, KeyStatus, SuspensionReason } from '../principals/key-status.js';

/** A key as the admin API shows it (DESIGN §7). Never holds a token or hash. */
export interface ApiKey {
  id: string;
  name: string;
  description: string;
  kind: KeyKind;
  groupId: string | null;
  groupName: string | null;
  ownerUserId: string | null;
  ownerUserName: string | null;
  scim: boolean;
  permissions: string[] | null;
  fragment: string;
  status: KeyStatus;
  statusReason: SuspensionReason | null;
  expiresAt: string | null;
  createdAt: string;
  createdBy: { id: string; name: string };
  lastUsedAt: string | null;
  revokedAt: string | null;
  rotatedFrom: string | null;
}
