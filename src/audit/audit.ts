import { z } from 'zod';
import { isStorableTimestamp } from '../db/timestamp.js';
import type { Actor } from '../principals/actor.js';

export interface AuditEvent {
  id: string;
  at: Date;
  actor: Actor;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
}

export interface NewAuditEvent {
  orgId: string;
  actor: Actor;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
  requestId?: string;
  /** The subjects an entry speaks for beyond its target (`key.revoke_all`: every key revoked), for events; not stored. */
  subjects?: string[];
}

const Timestamp = z.iso
  .datetime({ offset: true })
  .refine(isStorableTimestamp, 'is not a date-time between the years 1 and 9999');

/** `GET /api/v1/audit`'s query: action (`key.*` for a family), actor, target, a time range and a page. */
export const AuditQuery = z.object({
  action: z.string().max(100).optional(),
  actor: z.string().max(200).optional(),
  target: z.string().max(200).optional(),
  since: Timestamp.optional(),
  until: Timestamp.optional(),
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, 'is not a cursor this server issued')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

/** An If-Match precondition, checked under the row lock: given the current version, may the write go on? */
export type Precondition = (version: number) => boolean;
