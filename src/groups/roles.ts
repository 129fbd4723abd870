import { z } from 'zod';

/**
 * Roles an organization defines (issue 13): a named set of permissions, usable wherever a built-in
 * role is (a group rule's `role`, the identity provider's `roles` values under idpRoles).
 * Names are lower-case words joined by hyphens or underscores, as the built-in ones are.
 */
export const ROLE_NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const ROLE_NAME_RULE = 'lower-case letters, digits, "-" and "_", starting with a letter, at most 63 characters';

const RoleName = z.string().regex(ROLE_NAME, `must be ${ROLE_NAME_RULE}`);
const Permissions = z
  .array(z.string().min(1).max(100))
  .min(1, 'needs at least one permission')
  .max(100, 'holds at most 100 permissions');

export const CreateRoleBody = z
  .object({
    name: RoleName,
    description: z.string().max(500).optional(),
    permissions: Permissions,
  })
  .strict();
export type CreateRoleInput = z.infer<typeof CreateRoleBody>;

export const UpdateRoleBody = z
  .object({
    description: z.string().max(500).optional(),
    permissions: Permissions.optional(),
  })
  .strict()
  .refine((b) => b.description !== undefined || b.permissions !== undefined, {
    message: 'give description, permissions or both',
  });
export type UpdateRoleInput = z.infer<typeof UpdateRoleBody>;

/** A role as GET /api/v1/roles shows it: built-in ones read-only, with no dates. */
export interface RoleView {
  name: string;
  description: string;
  permissions: string[];
  builtin: boolean;
  createdAt: string | null;
  createdBy: string | null;
  updatedAt: string | null;
}
