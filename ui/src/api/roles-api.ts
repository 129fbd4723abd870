import type { ApiClient } from './client';
import type { Page, Role } from './types';

/** /api/v1/roles: the built-in roles and the organization's own (issue 13). */
export const rolesApi = {
  list: (api: ApiClient) => api.get<Page<Role>>('/roles'),
  create: (api: ApiClient, role: { name: string; description?: string; permissions: string[] }) =>
    api.post<Role>('/roles', role),
  delete: (api: ApiClient, name: string) => api.delete<void>(`/roles/${encodeURIComponent(name)}`),
};
