import type { ApiClient } from './client';
import type { ApiKey, ApiKeyDetail, ExpirationPreset, IssuedKey, KeyKind, KeyStatus, Page } from './types';

export interface KeyListFilter {
  q?: string;
  ownerUserId?: string;
  status?: KeyStatus;
  owner?: 'me' | 'all';
  cursor?: string;
  limit?: number;
}

export interface CreateKeyRequest {
  name: string;
  description?: string;
  kind?: KeyKind;
  groupId?: string | null;
  ownerUserId?: string;
  scim?: boolean;
  /** Fixed for the key's life; only org:admin or keys:impersonate may set it. */
  impersonation?: boolean;
  /** Absent: all the key inherits; otherwise the subset it keeps. */
  permissions?: string[];
  expiration?: ExpirationPreset;
  expiresAt?: string;
}

/** /api/v1/keys */
export const keysApi = {
  list: (api: ApiClient, filter: KeyListFilter) => api.get<Page<ApiKey>>('/keys', { ...filter }),
  get: (api: ApiClient, id: string) => api.get<ApiKeyDetail>(`/keys/${encodeURIComponent(id)}`),
  create: (api: ApiClient, body: CreateKeyRequest) => api.post<IssuedKey>('/keys', body),
  update: (api: ApiClient, id: string, body: { name: string; description: string }) =>
    api.patch<ApiKey>(`/keys/${encodeURIComponent(id)}`, body),
  rotate: (api: ApiClient, id: string, body: { gracePeriodSeconds?: number }) =>
    api.post<IssuedKey>(`/keys/${encodeURIComponent(id)}/rotate`, body),
  revoke: (api: ApiClient, id: string) => api.delete<ApiKey>(`/keys/${encodeURIComponent(id)}`),
};
