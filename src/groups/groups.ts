import { z } from 'zod';

export type GroupSource = 'scim' | 'local';
export type MemberType = 'User' | 'Group';

export interface GroupRecord {
  orgId: string;
  id: string;
  displayName: string;
  externalId: string | null;
  source: GroupSource;
  description: string;
  memberCount: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** Loaded only when the response includes members. */
  members?: MemberRef[];
}

export interface MemberRef {
  value: string;
  type: MemberType;
  display: string | null;
}

export interface NewMember {
  id: string;
  type: MemberType;
  display: string | null;
}

// What the admin API accepts (DESIGN §7); the routes parse with these and the service takes their types.

export const RuleBody = z
  .object({
    permission: z.string().min(1).max(100).optional(),
    role: z.string().min(1).max(50).optional(),
    resources: z.array(z.string().min(1).max(200)).max(100).optional(),
    /**
     * A condition on the person the key acts for: a SCIM filter over the user's attributes (issue 13).
     * The rule grants only while it matches that user; for a key acting for no person it grants nothing.
     */
    when: z.string().trim().min(1, 'is empty; leave it out for a rule that always applies').max(1000).optional(),
  })
  .strict()
  .refine((r) => (r.permission === undefined) !== (r.role === undefined), {
    message: 'give exactly one of permission or role',
  });

/** A group's rule: what it grants (DESIGN §5). */
export type GroupRule = z.infer<typeof RuleBody>;

export const PutRulesBody = z.object({ rules: z.array(RuleBody).max(100) }).strict();

export const CreateGroupBody = z
  .object({
    displayName: z.string().trim().min(1, 'is required').max(200),
    description: z.string().max(500).optional(),
    rules: z.array(RuleBody).max(100).optional(),
  })
  .strict();
export type CreateGroupInput = z.infer<typeof CreateGroupBody>;

export const UpdateGroupBody = z
  .object({ displayName: z.string().trim().min(1).max(200).optional(), description: z.string().max(500).optional() })
  .strict();
export type UpdateGroupInput = z.infer<typeof UpdateGroupBody>;

export const ListGroupsQuery = z.object({
  q: z.string().max(200).optional(),
  source: z.enum(['scim', 'local']).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
export type ListGroupsInput = z.infer<typeof ListGroupsQuery>;

export const MembersQuery = z.object({
  cursor: z
    .string()
    .regex(/^[0-9a-f-]{36}$/i, 'is not a cursor this server issued')
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
export type MembersInput = z.infer<typeof MembersQuery>;
