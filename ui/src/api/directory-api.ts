import type { ApiClient } from './client';
import type { Catalogue, Organization, Page, Role, User } from './types';

/** What exists to grant, the organization's policy and its users. */
export const directoryApi = {
  /** The permissions, and every role rules may name: the organization's own too (/roles, groups:read). */
  catalogue: async (api: ApiClient): Promise<Catalogue> => {
    const [catalogue, roles] = await Promise.all([
      api.get<Catalogue>('/permissions'),
      api.get<Page<Role>>('/roles').catch(() => undefined),
    ]);
    return roles
      ? { ...catalogue, roles: roles.items.map(({ name, permissions }) => ({ name, permissions })) }
      : catalogue;
  },
  organization: (api: ApiClient) => api.get<Organization>('/organizations/current'),
  users: (api: ApiClient, q: string) => api.get<Page<User>>('/users', { q, limit: 20 }),
};
