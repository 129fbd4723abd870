import { z } from 'zod';

export const EXPIRATION_PRESETS = ['7d', '30d', '60d', '90d', '180d', '1y', 'never'] as const;
export type ExpirationPreset = (typeof EXPIRATION_PRESETS)[number];

/** Organization policy (DESIGN §3), stored in organizations.settings. */
export const OrgPolicy = z
  .object({
    maxKeys: z.number().int().min(1).max(100000).default(100),
    allowedExpirations: z.array(z.enum(EXPIRATION_PRESETS)).min(1).default([...EXPIRATION_PRESETS]),
    allowNever: z.boolean().default(true),
    /** Longest lifetime of a key with the SCIM flag, in days; null for no cap. */
    maxScimKeyLifetimeDays: z.number().int().min(1).max(36500).nullable().default(null),
  })
  .strict();
export type OrgPolicy = z.infer<typeof OrgPolicy>;

export interface Organization {
  id: string;
  name: string;
  policy: OrgPolicy;
  createdAt: Date;
}

export const DEFAULT_ORG_NAME = 'default';
export const ADMINS_GROUP_NAME = 'Admins';
