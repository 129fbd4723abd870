/**
 * What keys may do, asked through the admin and access API: for the identity-provider replays
 * (test/scim/google-workspace-*, onelogin-*, jumpcloud-*), which check that what a provider changes
 * reaches the keys of the groups and users it changes.
 */
import { createKey, type TestApp } from './test-app.js';

export function keyAccess(app: TestApp) {
  const admin = { Authorization: `Bearer ${app.adminToken}` };
  return {
    async setRules(groupId: string, rules: unknown[]): Promise<void> {
      const res = await app.http.put(`/api/v1/groups/${groupId}/rules`).set(admin).send({ rules });
      if (res.status !== 200) throw new Error(`setting rules failed: ${res.status} ${JSON.stringify(res.body)}`);
    },
    /** A personal key of `ownerUserId`, narrowed to `groupId` when given. */
    personalKey(ownerUserId: string, groupId?: string) {
      return createKey(app, {
        name: `personal ${Math.random().toString(36).slice(2, 7)}`,
        kind: 'personal',
        ownerUserId,
        ...(groupId ? { groupId } : {}),
      });
    },
    serviceKey(groupId: string) {
      return createKey(app, { name: `service ${Math.random().toString(36).slice(2, 7)}`, groupId });
    },
    /** `/authorize` for the key: true, false, or the error code when the key itself is refused. */
    async allowed(token: string, permission: string): Promise<boolean | string> {
      const res = await app.http.post('/api/v1/authorize').set('Authorization', `Bearer ${token}`).send({ permission });
      if (res.status === 200) return res.body.allowed as boolean;
      return String(res.body.code);
    },
    async keyStatus(id: string): Promise<{ status: unknown; statusReason: unknown }> {
      const res = await app.http.get(`/api/v1/keys/${id}`).set(admin);
      return { status: res.body.status, statusReason: res.body.statusReason ?? null };
    },
  };
}
