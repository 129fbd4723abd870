import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { KEY_STATUSES, type KeyKind, type KeyStatus, type SuspensionReason } from '../principals/key-status.js';

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
  /** An impersonation key may exchange itself for tokens of other users (issue 12); fixed for life. */
  impersonation: boolean;
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

/** GET /api/v1/keys/:id: the key and, once rotated, the key that replaces it. */
export interface ApiKeyDetail extends ApiKey {
  replacedBy: { id: string; name: string } | null;
}

/** A key as keys-store reads it: its suspension computed by the database, its status by statusOf at the time asked. */
export interface KeyRow {
  org_id: string;
  id: string;
  name: string;
  description: string;
  kind: KeyKind;
  group_id: string | null;
  group_name: string | null;
  owner_user_id: string | null;
  owner_name: string | null;
  scim: boolean;
  impersonation: boolean;
  permissions: string[] | null;
  fragment: string;
  bootstrap: boolean;
  expires_at: Date | null;
  revoked_at: Date | null;
  revoked_by: string | null;
  rotated_from: string | null;
  created_by: string;
  created_by_name: string;
  created_at: Date;
  last_used_at: Date | null;
  suspension: SuspensionReason | null;
  status: KeyStatus;
}

export interface KeyRowWithHash extends KeyRow {
  secret_hash: string;
}

export const EXPIRATION_PRESETS = ['7d', '30d', '60d', '90d', '180d', '1y', 'never'] as const;
export type ExpirationPreset = (typeof EXPIRATION_PRESETS)[number];

/** What keys an organization allows (DESIGN §3): how many, and for how long. */
export const KeyPolicy = z
  .object({
    maxKeys: z.number().int().min(1).max(100000).default(100),
    allowedExpirations: z
      .array(z.enum(EXPIRATION_PRESETS))
      .min(1)
      .default([...EXPIRATION_PRESETS]),
    allowNever: z.boolean().default(true),
    /** Longest lifetime of a key with the SCIM flag, in days; null for no cap. */
    maxScimKeyLifetimeDays: z.number().int().min(1).max(36500).nullable().default(null),
    /**
     * Whether people manage their own personal keys with no special permission (issue 11): a
     * signed-in person, or a personal key acting for its owner. Such a key never holds more than
     * its owner, live.
     */
    selfServiceKeys: z.boolean().default(true),
  })
  .strict();
export type KeyPolicy = z.infer<typeof KeyPolicy>;

/** Where keys-service finds the policy: it locks the organization for the rest of the transaction (serializing key-limit checks). */
export interface KeyPolicySource {
  lock(q: Queryable, orgId: string): Promise<KeyPolicy | undefined>;
  /** Reads it without a lock (for reads of one's own keys). */
  read(q: Queryable, orgId: string): Promise<KeyPolicy | undefined>;
  /** Whether the identity provider's roles and entitlements grant (organization policy idpRoles). */
  idpRoles(q: Queryable, orgId: string): Promise<boolean>;
}

// What the admin API accepts (DESIGN §7); the routes parse with these and the service takes their types.

const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be an id (uuid)');
const name = z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters');
const description = z.string().max(500, 'must be at most 500 characters');
const permission = z.string().min(1).max(100);

export const CreateKeyBody = z
  .object({
    name,
    description: description.optional(),
    kind: z.enum(['service', 'personal']).optional(),
    groupId: uuid.nullable().optional(),
    ownerUserId: uuid.nullable().optional(),
    scim: z.boolean().optional(),
    impersonation: z.boolean().optional(),
    permissions: z.array(permission).max(100).nullable().optional(),
    expiration: z.string().optional(),
    expiresAt: z.string().optional(),
  })
  .strict();
export type CreateKeyInput = z.infer<typeof CreateKeyBody>;

export const UpdateKeyBody = z
  .object({
    name: name.optional(),
    description: description.optional(),
    groupId: uuid.optional(),
    // Accepted only to refuse a change with a clear error: the flag is fixed for the key's life.
    impersonation: z.boolean().optional(),
  })
  .strict();
export type UpdateKeyInput = z.infer<typeof UpdateKeyBody>;

export const RotateKeyBody = z
  .object({
    gracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600, 'must be at most 7 days')
      .optional(),
    expiration: z.string().optional(),
    expiresAt: z.string().optional(),
  })
  .strict();
export type RotateKeyInput = z.infer<typeof RotateKeyBody>;

export const RevokeAllBody = z
  .object({ groupId: uuid.optional(), ownerUserId: uuid.optional() })
  .strict()
  .refine((b) => (b.groupId === undefined) !== (b.ownerUserId === undefined), {
    message: 'give exactly one of groupId or ownerUserId',
  });

export const RestoreAllBody = z.object({ ownerUserId: uuid }).strict();

export const ListKeysQuery = z.object({
  status: z.enum(KEY_STATUSES).optional(),
  q: z.string().max(200).optional(),
  owner: z.enum(['me', 'all']).optional(),
  groupId: uuid.optional(),
  ownerUserId: uuid.optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});
export type ListKeysInput = z.infer<typeof ListKeysQuery>;
