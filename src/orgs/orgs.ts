import { z } from 'zod';
import { EXPIRATION_PRESETS, KeyPolicy } from '../keys/keys.js';

/**
 * Organization policy (DESIGN §3), stored in organizations.settings: what keys may be (the keys
 * domain owns that part, and reads it through the lock keys-service is given), and `idpRoles`:
 * whether the roles and entitlements the identity provider assigns a person grant anything
 * (false by default: turning it on lets the identity provider grant any role, which otherwise
 * only an admin's group rules can).
 */
export const OrgPolicy = KeyPolicy.extend({ idpRoles: z.boolean().default(false) }).strict();
export type OrgPolicy = z.infer<typeof OrgPolicy>;

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
    idpRoles: z
      .boolean()
      .optional()
      .describe(
        'Whether the roles and entitlements the identity provider assigns people (SCIM roles, entitlements) grant keyscope roles and permissions; false by default',
      ),
  })
  .strict();
export type UpdatePolicyInput = z.infer<typeof UpdatePolicyBody>;
