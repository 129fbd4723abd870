import type { ApiClient } from './client';
import type { Group, GroupDetail, GroupMember, Page, Rule } from './types';

/** /api/v1/groups */
export const groupsApi = {
  list: (api: ApiClient, query: { cursor?: string; limit?: number } = {}) => api.get<Page<Group>>('/groups', query),
  get: (api: ApiClient, id: string) => api.get<GroupDetail>(`/groups/${encodeURIComponent(id)}`),
  members: (api: ApiClient, id: string, cursor?: string) =>
    api.get<Page<GroupMember>>(`/groups/${encodeURIComponent(id)}/members`, { cursor, limit: 50 }),
  setRules: (api: ApiClient, id: string, rules: Rule[]) =>
    api.put<GroupDetail>(`/groups/${encodeURIComponent(id)}/rules`, { rules }),
};

/** Every group, page after page: the group pickers need them all. */
export async function allGroups(api: ApiClient): Promise<Group[]> {
  const groups: Group[] = [];
  let cursor: string | undefined;
  do {
    const page = await groupsApi.list(api, { cursor, limit: 500 });
    groups.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return groups;
}
