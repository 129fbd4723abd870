import {
  createUser,
  expectEmptyList,
  expectScim,
  filterQuery,
  memberIds,
  readBack,
  type Json,
} from '../support/clients.js';
import { keyAccess } from '../support/key-access.js';
import {
  ENTERPRISE,
  GROUP_SCHEMA,
  USER_SCHEMA,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

// OneLogin's "SCIM Provisioner with SAML (SCIM v2 Enterprise)" connector, replayed (docs/onelogin.md).
// OneLogin sends the body its admin pastes as the "SCIM JSON Template", with every {$…} placeholder
// replaced by the user's value, and "" where the user has none (OneLogin knowledge base, "SCIM
// custom connector"; the templates vendors publish for it). What this file replays:
// - the templates in circulation: empty strings for unset parameters, `"id": null` and
//   `meta.resourceType` in the body, `active` as the string "true"/"false", the enterprise
//   `manager` with the SCIM 1.1 sub-attribute `managerId`, and `emails` as one object instead of a
//   list (OneLogin's own developer documentation shows it so; SCIM servers built against OneLogin
//   accept it);
// - the lookup by `userName eq` before a create, a full PUT of the template on every change, a
//   deactivation and a delete, and group membership by PATCH on groups keyscope already has.
let app: TestApp;
let scim: ScimClient;
let access: ReturnType<typeof keyAccess>;

beforeAll(async () => {
  app = await startTestApp({ env: { KEYSCOPE_PERMISSIONS: 'projects:read,projects:write' } });
  scim = await scimClient(app);
  access = keyAccess(app);
});
afterAll(() => app.close());

/** The template of the SCIM v2 Enterprise connector, filled in as OneLogin fills it. */
function oneLoginUser(email: string, over: { firstname?: string; title?: string; active?: string } = {}): Json {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    id: null,
    userName: email,
    name: {
      familyName: 'Lovelace',
      givenName: over.firstname ?? 'Ada',
      formatted: `${over.firstname ?? 'Ada'} Lovelace`,
    },
    title: over.title ?? '',
    userType: '',
    timezone: '',
    active: over.active ?? 'true',
    emails: [{ value: email, type: 'work', primary: true }],
    addresses: [{ locality: '', region: '', country: '' }],
    meta: { resourceType: 'User' },
    [ENTERPRISE]: {
      organization: '',
      division: '',
      department: 'Research',
      manager: { value: '', displayName: ' ' },
    },
  };
}

const enterprise = (user: Json) => (user[ENTERPRISE] ?? {}) as Json;

describe('OneLogin provisions a user', () => {
  it('looks the user up by userName, creates it from the template, and stores what the template carried', async () => {
    expectEmptyList(await scim.get(`/Users?${filterQuery('userName eq "ada@onelogin.example"')}`));

    const res = await scim.post('/Users', oneLoginUser('ada@onelogin.example'));
    expectScim(res, 201);
    const read = await readBack(scim, `/Users/${(res.body as Json).id}`);
    expect(read).toMatchObject({
      userName: 'ada@onelogin.example',
      active: true,
      name: { givenName: 'Ada', familyName: 'Lovelace', formatted: 'Ada Lovelace' },
      emails: [{ value: 'ada@onelogin.example', type: 'work', primary: true }],
      [ENTERPRISE]: { department: 'Research' },
    });
    // The empty strings OneLogin puts where a user has no value are unassigned (RFC 7644 §3.5.1), not stored.
    expect(read).not.toHaveProperty('title');
    expect(read).not.toHaveProperty('userType');
    expect(enterprise(read)).not.toHaveProperty('organization');

    const found = await scim.get(`/Users?${filterQuery('userName eq "ada@onelogin.example"')}`);
    expectScim(found, 200);
    expect((found.body.Resources as Json[]).map((u) => u.id)).toEqual([read.id]);
  });

  it('updates with a full PUT of the template and deactivates with active "false"', async () => {
    const user = await createUser(scim, oneLoginUser('grace@onelogin.example'));
    const { token, id } = await access.personalKey(user.id);
    expect(await access.allowed(token, 'projects:read')).toBe(false);

    const updated = await scim.put(`/Users/${user.id}`, oneLoginUser('grace@onelogin.example', { title: 'Admiral' }));
    expectScim(updated, 200);
    expect(await readBack(scim, `/Users/${user.id}`)).toMatchObject({ title: 'Admiral', active: true });

    // A title cleared in OneLogin comes back as "": the PUT leaves it unassigned.
    expectScim(await scim.put(`/Users/${user.id}`, oneLoginUser('grace@onelogin.example')), 200);
    expect(await readBack(scim, `/Users/${user.id}`)).not.toHaveProperty('title');

    const off = await scim.put(`/Users/${user.id}`, oneLoginUser('grace@onelogin.example', { active: 'false' }));
    expectScim(off, 200);
    expect((await readBack(scim, `/Users/${user.id}`)).active).toBe(false);
    expect(await access.keyStatus(id)).toEqual({ status: 'suspended', statusReason: 'owner_inactive' });
    expect(await access.allowed(token, 'projects:read')).toBe('owner_inactive');

    expectScim(await scim.put(`/Users/${user.id}`, oneLoginUser('grace@onelogin.example', { active: 'true' })), 200);
    expect((await access.keyStatus(id)).status).toBe('active');
  });

  it('deactivates with a PATCH replace of active, and deletes with DELETE', async () => {
    const user = await createUser(scim, oneLoginUser('alan@onelogin.example'));
    const off = await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'active', value: false }));
    expectScim(off, 200);
    expect((off.body as Json).active).toBe(false);

    const deleted = await scim.delete(`/Users/${user.id}`);
    expect(deleted.status).toBe(204);
    expect((await scim.get(`/Users/${user.id}`)).status).toBe(404);
    expectEmptyList(await scim.get(`/Users?${filterQuery('userName eq "alan@onelogin.example"')}`));
  });

  it('keeps a manager sent as managerId (the SCIM 1.1 name of manager.value)', async () => {
    const boss = await createUser(scim, oneLoginUser('boss@onelogin.example'));
    const body = oneLoginUser('report@onelogin.example');
    (body[ENTERPRISE] as Json).manager = { managerId: boss.id, displayName: 'Ada Lovelace' };
    const res = await scim.post('/Users', body);
    expectScim(res, 201);
    const read = await readBack(scim, `/Users/${(res.body as Json).id}`);
    expect(enterprise(read).manager).toMatchObject({ value: boss.id });
    expect(enterprise(read).manager).not.toHaveProperty('managerId');

    // Both names, naming different managers: which one was meant cannot be told.
    (body[ENTERPRISE] as Json).manager = { managerId: boss.id, value: read.id };
    const both = await scim.put(`/Users/${read.id}`, body);
    expectScim(both, 400);
    expect(both.body).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('managerId') });
  });

  it('accepts emails sent as one object, as OneLogin documents its template, as a list of that one address', async () => {
    const body = { ...oneLoginUser('single.email@onelogin.example') };
    body.emails = { value: 'single.email@onelogin.example', type: 'work', primary: true };
    const res = await scim.post('/Users', body);
    expectScim(res, 201);
    expect((await readBack(scim, `/Users/${(res.body as Json).id}`)).emails).toEqual([
      { value: 'single.email@onelogin.example', type: 'work', primary: true },
    ]);
  });

  it("accepts the connector's default template, whose URNs are the pre-RFC urn:scim:schemas:…:2.0 ones", async () => {
    // A OneLogin SCIM v2 Enterprise request as logged by a SCIM server (goauthentik/authentik#11249):
    // the lookup with `+` for spaces and a trailing `&`, then a PUT whose `schemas` are
    // urn:scim:schemas:core:2.0 and urn:scim:schemas:extension:enterprise:2.0.
    const user = await createUser(scim, oneLoginUser('onelogin-test-user01@onelogin.example'));
    const lookup = await scim.get('/Users?filter=userName+eq+%22onelogin-test-user01%40onelogin.example%22&');
    expectScim(lookup, 200);
    expect((lookup.body.Resources as Json[]).map((u) => u.id)).toEqual([user.id]);

    const legacy = {
      schemas: ['urn:scim:schemas:core:2.0', 'urn:scim:schemas:extension:enterprise:2.0'],
      userName: 'onelogin-test-user01@onelogin.example',
      name: { familyName: ' User 01', givenName: 'AAA Test' },
      emails: [{ value: 'onelogin-test-user01@onelogin.example', type: 'work', primary: true }],
      'urn:scim:schemas:extension:enterprise:2.0': { department: 'QA', manager: { managerId: '' } },
    };
    const put = await app.http
      .put(`/scim/v2/Users/${user.id}?`)
      .set('Authorization', `Bearer ${scim.token}`)
      .set('Content-Type', 'application/scim+json')
      .send(JSON.stringify(legacy));
    expectScim(put, 200);
    const read = await readBack(scim, `/Users/${user.id}`);
    expect(read).toMatchObject({
      schemas: [USER_SCHEMA, ENTERPRISE],
      name: { familyName: ' User 01', givenName: 'AAA Test' },
      [ENTERPRISE]: { department: 'QA' },
    });
    expect(read).not.toHaveProperty(['urn:scim:schemas:extension:enterprise:2.0']);

    const created = await scim.post('/Users', { ...legacy, userName: 'onelogin-test-user02@onelogin.example' });
    expectScim(created, 201);
    expect((created.body as Json)[ENTERPRISE]).toMatchObject({ department: 'QA' });
  });

  it('refuses a SCIM 1.1 template pasted into the v2 connector with a 400 that names the schema', async () => {
    const res = await scim.post('/Users', {
      schemas: ['urn:scim:schemas:core:1.0'],
      userName: 'old.template@onelogin.example',
      name: { givenName: 'Old', familyName: 'Template' },
    });
    expectScim(res, 400);
    expect(res.body.detail).toMatch(/schemas/);
  });
});

describe('OneLogin provisions group membership', () => {
  it('reads the groups, then adds and removes members with value arrays; group keys follow', async () => {
    const ann = await createUser(scim, oneLoginUser('ann@onelogin.example'));
    const bob = await createUser(scim, oneLoginUser('bob@onelogin.example'));
    const group = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'OneLogin Engineers' });
    expectScim(group, 201);
    const groupId = (group.body as Json).id as string;
    await access.setRules(groupId, [{ permission: 'projects:write' }]);

    // The groups OneLogin offers in its rules are the ones it reads from the app.
    const list = await scim.get('/Groups?startIndex=1&count=100');
    expectScim(list, 200);
    expect((list.body.Resources as Json[]).map((g) => g.displayName)).toContain('OneLogin Engineers');

    const add = patchOp({ op: 'add', path: 'members', value: [{ value: ann.id }, { value: bob.id }] });
    expectScim(await scim.patch(`/Groups/${groupId}`, add), 200);
    expect(memberIds(await readBack(scim, `/Groups/${groupId}`))).toEqual([ann.id, bob.id].sort());
    // A personal key narrowed to the group holds its rules while its owner is a member.
    const annKey = await access.personalKey(ann.id, groupId);
    expect(await access.allowed(annKey.token, 'projects:write')).toBe(true);

    const remove = patchOp({ op: 'remove', path: 'members', value: [{ value: ann.id }] });
    expectScim(await scim.patch(`/Groups/${groupId}`, remove), 200);
    expect(memberIds(await readBack(scim, `/Groups/${groupId}`))).toEqual([bob.id]);
    expect(await access.allowed(annKey.token, 'projects:write')).toBe('owner_left_group');

    const byFilter = patchOp({ op: 'remove', path: `members[value eq "${bob.id}"]` });
    expectScim(await scim.patch(`/Groups/${groupId}`, byFilter), 200);
    expect(memberIds(await readBack(scim, `/Groups/${groupId}`))).toEqual([]);
  });
});
