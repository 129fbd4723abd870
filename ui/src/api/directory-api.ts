import type { ApiClient } from './client';
import type { Catalogue, Organization, Page, User } from './types';

/** What exists to grant, the organization's policy and its users. */
export const directoryApi = {
  catalogue: (api: ApiClient) => api.get<Catalogue>('/permissions'),
  organization: (api: ApiClient) => api.get<Organization>('/organizations/current'),
  users: (api: ApiClient, q: string) => api.get<Page<User>>('/users', { q, limit: 20 }),
};
