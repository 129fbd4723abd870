import type { ApiClient } from './client';
import type { Catalogue, Me, Organization, Page, User } from './types';

/** Who the key is, what exists to grant, the organization and its users. */
export const directoryApi = {
  me: (api: ApiClient) => api.get<Me>('/me'),
  catalogue: (api: ApiClient) => api.get<Catalogue>('/permissions'),
  organization: (api: ApiClient) => api.get<Organization>('/organizations/current'),
  users: (api: ApiClient, q: string) => api.get<Page<User>>('/users', { q, limit: 20 }),
};
