import type { ApiClient } from './client';
import type { Page } from './types';

/** The events a webhook may ask for (docs/signals.md#webhooks). */
export const WEBHOOK_EVENTS = [
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

export interface Webhook {
  id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookDelivery {
  id: string;
  eventId: string;
  type: string;
  subject: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  attemptLog: { at: string; statusCode: number | null; responseExcerpt: string | null; error: string | null }[];
}

export interface WebhookBody {
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
}

const path = (id: string) => `/webhooks/${encodeURIComponent(id)}`;

/** /api/v1/webhooks (org:admin) */
export const webhooksApi = {
  list: (api: ApiClient) => api.get<{ items: Webhook[] }>('/webhooks'),
  create: (api: ApiClient, body: WebhookBody) => api.post<{ secret: string; webhook: Webhook }>('/webhooks', body),
  update: (api: ApiClient, id: string, body: Partial<WebhookBody>) => api.patch<Webhook>(path(id), body),
  remove: (api: ApiClient, id: string) => api.delete<void>(path(id)),
  deliveries: (api: ApiClient, id: string) => api.get<Page<WebhookDelivery>>(`${path(id)}/deliveries`, { limit: 50 }),
  redeliver: (api: ApiClient, id: string, deliveryId: string) =>
    api.post<{ queued: boolean }>(`${path(id)}/deliveries/${encodeURIComponent(deliveryId)}/redeliver`, {}),
};
