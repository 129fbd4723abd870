import { z } from 'zod';

/** The events keyscope sends (issue 14, DESIGN §11), by their Standard Webhooks `type`. */
export const EVENT_TYPES = [
  'key.created',
  'key.rotated',
  'key.revoked',
  'key.suspended',
  'key.restored',
  'key.expiring',
  'key.expired',
  'user.provisioned',
  'user.deactivated',
  'user.deleted',
  'group.rules_changed',
  'group.deleted',
  'signal.received',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The audit action each event is told by: the audit entry is the one place a change is written down. */
export const EVENT_OF_ACTION: Readonly<Record<string, EventType>> = {
  'key.create': 'key.created',
  'key.rotate': 'key.rotated',
  'key.revoke': 'key.revoked',
  'key.revoke_all': 'key.revoked',
  'key.suspend': 'key.suspended',
  'key.restore': 'key.restored',
  'key.expiring': 'key.expiring',
  'key.expired': 'key.expired',
  'user.create': 'user.provisioned',
  'user.deactivate': 'user.deactivated',
  'user.delete': 'user.deleted',
  'group.rules': 'group.rules_changed',
  'group.delete': 'group.deleted',
  'signal.received': 'signal.received',
};

/** What an event carries, per the Standard Webhooks payload structure: `{type, timestamp, data}`. */
export interface EventPayload {
  type: EventType;
  timestamp: string;
  data: Record<string, unknown>;
}

/** One event about to go into the outbox: the subject orders it (`key:<id>`, `user:<id>`, `group:<id>`). */
export interface OutboxEvent {
  type: EventType;
  subject: string;
  payload: EventPayload;
}

/** A webhook as the API shows it (never its secret, which is shown once, on create). */
export interface Webhook {
  id: string;
  url: string;
  description: string;
  events: EventType[];
  enabled: boolean;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryAttempt {
  at: Date;
  statusCode: number | null;
  responseExcerpt: string | null;
  error: string | null;
  durationMs: number;
}

export interface Delivery {
  id: string;
  eventId: string;
  type: string;
  subject: string;
  status: DeliveryStatus;
  attempts: number;
  createdAt: Date;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  payload: EventPayload;
  attemptLog: DeliveryAttempt[];
}

const EventName = z.string().max(100);
const Url = z.string().trim().max(2000);

export const CreateWebhookBody = z
  .object({
    url: Url,
    description: z.string().max(1000).optional(),
    events: z.array(EventName).min(1, 'names at least one event').max(EVENT_TYPES.length),
    enabled: z.boolean().optional(),
  })
  .strict();
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

export const UpdateWebhookBody = z
  .object({
    url: Url.optional(),
    description: z.string().max(1000).optional(),
    events: z.array(EventName).min(1, 'names at least one event').max(EVENT_TYPES.length).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type UpdateWebhookBody = z.infer<typeof UpdateWebhookBody>;

export const DeliveriesQuery = z.object({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, 'is not a cursor this server issued')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
export type DeliveriesQuery = z.infer<typeof DeliveriesQuery>;

/** Retries: soon at first, then exponential backoff, then given up (docs/signals.md#webhooks). */
export interface RetryPolicy {
  /** Delays after the first failures, in milliseconds (default 1 s, 5 s, 30 s). */
  schedule: readonly number[];
  /** The longest delay the backoff grows to (default 1 hour). */
  maxDelayMs: number;
  /** A delivery still failing this long after its event is marked failed (default 24 hours). */
  giveUpAfterMs: number;
}

/** When to try again after `attempts` failed attempts, or null to give up. */
export function nextAttemptAt(policy: RetryPolicy, retryFrom: Date, attempts: number, now: Date): Date | null {
  const { schedule } = policy;
  const last = schedule[schedule.length - 1] ?? 1000;
  const delay =
    attempts <= schedule.length
      ? schedule[attempts - 1]!
      : Math.min(policy.maxDelayMs, last * 2 ** (attempts - schedule.length));
  // Given up only once an attempt fails at least giveUpAfterMs after the event: retried for that long at least.
  if (now.getTime() - retryFrom.getTime() >= policy.giveUpAfterMs) return null;
  return new Date(now.getTime() + delay);
}
