import type { ApiClient } from './client';
import type { AuditEvent, Page, User, UserDetail } from './types';

/** A user as GET /api/v1/users lists them: with the groups they are directly in. */
export interface UserSummary extends User {
  externalId: string | null;
  groups: { id: string; displayName: string }[];
}

export interface AuditFilter {
  action?: string;
  actor?: string;
  target?: string;
  /** ISO 8601 with an offset. */
  since?: string;
  until?: string;
  cursor?: string;
  limit?: number;
}

/** /api/v1/users (read-only: the identity provider writes users) and /api/v1/audit. */
export const peopleApi = {
  users: (api: ApiClient, query: { q?: string; cursor?: string; limit?: number }) =>
    api.get<Page<UserSummary>>('/users', query),
  user: (api: ApiClient, id: string) => api.get<UserDetail>(`/users/${encodeURIComponent(id)}`),
  audit: (api: ApiClient, filter: AuditFilter) => api.get<Page<AuditEvent>>('/audit', { ...filter }),
};
