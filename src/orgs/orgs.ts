import { z } from 'zod';
import { EXPIRATION_PRESETS, KeyPolicy } from '../keys/keys.js';

/**
 * Organization policy (DESIGN §3), stored in organizations.settings: today what keys may be (the
 * keys domain owns that part, and reads it through the lock keys-service is given).
 */
export const OrgPolicy = KeyPolicy;
export type OrgPolicy = KeyPolicy;

export interface Organization {
  id: string;
  name: string;
  policy: OrgPolicy;
  createdAt: Date;
}

export const DEFAULT_ORG_NAME = 'default';
export const ADMINS_GROUP_NAME = 'Admins';

// What the admin API accepts (DESIGN §7); the routes parse with these and the service takes their types.

export const CreateOrgBody = z.object({ name: z.string().trim().min(1, 'is required').max(100) }).strict();

export const UpdatePolicyBody = z
  .object({
    maxKeys: z.number().int().min(1).max(100000).optional(),
    allowedExpirations: z.array(z.enum(EXPIRATION_PRESETS)).min(1).optional(),
    allowNever: z.boolean().optional(),
    maxScimKeyLifetimeDays: z.number().int().min(1).max(36500).nullable().optional(),
    selfServiceKeys: z.boolean().optional(),
  })
  .strict();
export type UpdatePolicyInput = z.infer<typeof UpdatePolicyBody>;
