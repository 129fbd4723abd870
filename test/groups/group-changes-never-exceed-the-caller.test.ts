import { bearer, uniqueName } from '../support/orgs.js';
import { GROUP_SCHEMA, createKey, scimClient, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Issue 9, defect 1 (DESIGN §9): a key holding only groups:write replaced the Admins group's rules
 * with groups:read, or deleted it, and so locked every admin out. Changing or deleting a group that
 * grants more than the caller holds needs org:admin (or a caller holding everything the group grants
 * before and after the change).
 */

let app: TestApp;
let adminsGroupId: string;
let writerToken: string; // a service key whose group grants groups:read and groups:write only
const admin = () => bearer(app.adminToken);

async function localGroup(rules: unknown[]): Promise<string> {
  const res = await app.http
    .post('/api/v1/groups')
    .set(admin())
    .send({ displayName: uniqueName('Group'), rules });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function allowed(token: string, permission: string): Promise<boolean> {
  const res = await app.http.post('/api/v1/authorize').set(bearer(token)).send({ permission });
  expect(res.status).toBe(200);
  return res.body.allowed as boolean;
}

const rulesOf = async (id: string) => (await app.http.get(`/api/v1/groups/${id}`).set(admin())).body.rules as unknown[];

beforeAll(async () => {
  app = await startTestApp();
  const groups = (await app.http.get('/api/v1/groups?source=local').set(admin())).body.items as {
    id: string;
    displayName: string;
  }[];
  adminsGroupId = groups.find((g) => g.displayName === 'Admins')!.id;
  const writers = await localGroup([{ permission: 'groups:read' }, { permission: 'groups:write' }]);
  writerToken = (await createKey(app, { name: 'groups writer', groupId: writers })).token;
});
afterAll(() => app.close());

describe('a groups:write key cannot strip or delete a group granting more than it holds', () => {
  it('PUT rules on the Admins group is 403, and the admin key keeps org:admin and orgs:create', async () => {
    const before = await rulesOf(adminsGroupId);
    const res = await app.http
      .put(`/api/v1/groups/${adminsGroupId}/rules`)
      .set(bearer(writerToken))
      .send({ rules: [{ permission: 'groups:read' }] });
    expect({ status: res.status, detail: res.body.detail }).toEqual({
      status: 403,
      detail: expect.stringMatching(/org:admin/),
    });
    expect(await rulesOf(adminsGroupId)).toEqual(before);
    expect(await allowed(app.adminToken, 'org:admin')).toBe(true);
    expect(await allowed(app.adminToken, 'orgs:create')).toBe(true);
  });

  it('DELETE of the Admins group is 403 and no admin key is suspended', async () => {
    const res = await app.http.delete(`/api/v1/groups/${adminsGroupId}`).set(bearer(writerToken));
    expect({ status: res.status, detail: res.body.detail }).toEqual({
      status: 403,
      detail: expect.stringMatching(/org:admin/),
    });
    expect((await app.http.get('/api/v1/me').set(admin())).status).toBe(200);
    expect(await allowed(app.adminToken, 'org:admin')).toBe(true);
  });

  it('renaming the Admins group is 403 too', async () => {
    const res = await app.http
      .patch(`/api/v1/groups/${adminsGroupId}`)
      .set(bearer(writerToken))
      .send({ displayName: 'Not admins' });
    expect(res.status).toBe(403);
    expect((await app.http.get(`/api/v1/groups/${adminsGroupId}`).set(admin())).body.displayName).toBe('Admins');
  });

  it('taking away a permission the caller lacks is 403, even when the new rules are within its grant', async () => {
    const auditors = await localGroup([{ permission: 'audit:read' }, { permission: 'groups:read' }]);
    const auditorKey = await createKey(app, { name: 'auditor', groupId: auditors });
    const res = await app.http
      .put(`/api/v1/groups/${auditors}/rules`)
      .set(bearer(writerToken))
      .send({ rules: [{ permission: 'groups:read' }] });
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('audit:read');
    expect(await allowed(auditorKey.token, 'audit:read')).toBe(true);
    expect((await app.http.delete(`/api/v1/groups/${auditors}`).set(bearer(writerToken))).status).toBe(403);
    expect((await app.http.get(`/api/v1/keys/${auditorKey.id}`).set(admin())).body.status).toBe('active');
  });

  it('a group that inherits more through nesting counts as granting it', async () => {
    const scim = await scimClient(app);
    const child = (
      await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: uniqueName('Child'), members: [] })
    ).body.id as string;
    const parent = (
      await scim.post('/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: uniqueName('Parent'),
        members: [{ value: child }],
      })
    ).body.id as string;
    expect(
      (
        await app.http
          .put(`/api/v1/groups/${parent}/rules`)
          .set(admin())
          .send({ rules: [{ permission: 'audit:read' }] })
      ).status,
    ).toBe(200);
    const res = await app.http
      .put(`/api/v1/groups/${child}/rules`)
      .set(bearer(writerToken))
      .send({ rules: [{ permission: 'groups:read' }] });
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('audit:read');
  });

  it('changes and deletes a group whose grant, before and after, is within its own', async () => {
    const peers = await localGroup([{ permission: 'groups:read' }]);
    const put = await app.http
      .put(`/api/v1/groups/${peers}/rules`)
      .set(bearer(writerToken))
      .send({ rules: [{ permission: 'groups:write' }] });
    expect(put.status).toBe(200);
    expect(
      (await app.http.patch(`/api/v1/groups/${peers}`).set(bearer(writerToken)).send({ description: 'mine to change' }))
        .status,
    ).toBe(200);
    expect((await app.http.delete(`/api/v1/groups/${peers}`).set(bearer(writerToken))).status).toBe(204);
  });

  it('a key with groups:write but not groups:read changes rules within its grant, and the answer matches what was stored', async () => {
    const writeOnly = await localGroup([{ permission: 'groups:write' }]);
    const token = (await createKey(app, { name: 'write only', groupId: writeOnly })).token;
    const target = await localGroup([]);
    const res = await app.http
      .put(`/api/v1/groups/${target}/rules`)
      .set(bearer(token))
      .send({ rules: [{ permission: 'groups:write' }] });
    expect({ status: res.status, rules: res.body.rules }).toEqual({
      status: 200,
      rules: [{ permission: 'groups:write' }],
    });
    const refused = await app.http
      .put(`/api/v1/groups/${target}/rules`)
      .set(bearer(token))
      .send({ rules: [{ permission: 'keys:read' }] });
    expect(refused.status).toBe(403);
    expect(await rulesOf(target)).toEqual([{ permission: 'groups:write' }]);
  });

  it('an org:admin may still change and delete any local group', async () => {
    const strong = await localGroup([{ role: 'admin' }]);
    expect(
      (
        await app.http
          .put(`/api/v1/groups/${strong}/rules`)
          .set(admin())
          .send({ rules: [{ permission: 'keys:read' }] })
      ).status,
    ).toBe(200);
    expect((await app.http.delete(`/api/v1/groups/${strong}`).set(admin())).status).toBe(204);
  });

  it('every refusal is a clean problem document, and nothing is audited for it', async () => {
    const res = await app.http
      .put(`/api/v1/groups/${adminsGroupId}/rules`)
      .set(bearer(writerToken))
      .send({ rules: [] });
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const audit = await app.http.get(`/api/v1/audit?action=group.rules`).set(admin());
    const targets = (audit.body.items as { target: string }[]).map((e) => e.target);
    expect(targets).not.toContain(`group:${adminsGroupId}`);
  });
});
