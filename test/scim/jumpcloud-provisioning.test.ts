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

// JumpCloud's "Identity Management" (SCIM 2.0) on a custom SSO application, replayed (docs/jumpcloud.md).
// JumpCloud's own documentation ("Identity Management using a Custom SCIM Integration") says: Test
// Connection creates a test user and a test group and deletes both when DELETE is supported (else
// it deactivates the user); a lookup precedes each create or update; a deprovisioned user is made
// inactive, a user deleted in JumpCloud may be deleted; empty groups are not created, a group whose
// name exists is taken over, renames are sent, and managed groups deleted in JumpCloud are deleted.
// The request shapes come from the integration guides and request fixtures of SCIM servers tested
// against JumpCloud (it publishes no request log):
// - lookups by `userName eq` (and `externalId eq`, JumpCloud's own user id), `displayName eq` for groups;
// - POST /Users with the core and enterprise schemas and `externalId`;
// - updates as PATCH, one `replace` per attribute, each with a path (`name.givenName`, URN paths);
// - deactivation as `replace` of path `active` with false; membership as `add` on path `members` and
//   `remove` on path `members` with a value array of minimal `{value}` objects; renames as `replace`
//   of `displayName`.
let app: TestApp;
let scim: ScimClient;
let access: ReturnType<typeof keyAccess>;

beforeAll(async () => {
  app = await startTestApp({ env: { KEYSCOPE_PERMISSIONS: 'deploys:run' } });
  scim = await scimClient(app);
  access = keyAccess(app);
});
afterAll(() => app.close());

let serial = 0;
/** A JumpCloud user id: 24 hex digits, sent as externalId. */
const jumpCloudId = () => (0x5f00000000 + ++serial).toString(16).padStart(24, 'a');

function jumpCloudUser(userName: string, externalId: string): Json {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    externalId,
    userName,
    displayName: 'Katherine Johnson',
    name: { givenName: 'Katherine', familyName: 'Johnson' },
    title: 'Mathematician',
    active: true,
    emails: [{ value: userName, type: 'work', primary: true }],
    phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
    addresses: [{ type: 'work', streetAddress: '1 Langley Blvd', locality: 'Hampton', region: 'VA', country: 'US' }],
    [ENTERPRISE]: { employeeNumber: '1918', department: 'Flight Research', costCenter: 'FR-1' },
  };
}

const userUrl = (id: string) => `/Users/${id}`;

describe('JumpCloud provisions users', () => {
  it('activates with a GET /Users that answers 200 with no users, and reads the discovery documents', async () => {
    const list = await app.http
      .get('/scim/v2/Users')
      .set('Authorization', `Bearer ${scim.token}`)
      .set('Accept', 'application/scim+json');
    expectEmptyList(list);
    expectScim(await scim.get('/ServiceProviderConfig'), 200);
    expectScim(await scim.get('/ResourceTypes'), 200);
    expectScim(await scim.get('/Schemas'), 200);
  });

  it('tests the connection: creates a test user and a test group, then deletes both', async () => {
    const user = await createUser(scim, jumpCloudUser('jc-test@jumpcloud.example', jumpCloudId()));
    const group = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'JumpCloud Test Group' });
    expectScim(group, 201);
    expect((await scim.delete(`/Groups/${(group.body as Json).id}`)).status).toBe(204);
    expect((await scim.delete(userUrl(user.id))).status).toBe(204);
    expectEmptyList(await scim.get(`/Users?${filterQuery('userName eq "jc-test@jumpcloud.example"')}`));
    expectEmptyList(await scim.get(`/Groups?${filterQuery('displayName eq "JumpCloud Test Group"')}`));
  });

  it('looks up by userName and externalId, creates, and finds the user by both afterwards', async () => {
    const externalId = jumpCloudId();
    expectEmptyList(await scim.get(`/Users?${filterQuery('userName eq "kj@jumpcloud.example"')}`));
    expectEmptyList(await scim.get(`/Users?${filterQuery(`externalId eq "${externalId}"`)}`));

    const res = await scim.post('/Users', jumpCloudUser('kj@jumpcloud.example', externalId));
    expectScim(res, 201);
    const id = (res.body as Json).id as string;
    expect(await readBack(scim, userUrl(id))).toMatchObject({
      externalId,
      userName: 'kj@jumpcloud.example',
      title: 'Mathematician',
      phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
      [ENTERPRISE]: { employeeNumber: '1918', department: 'Flight Research', costCenter: 'FR-1' },
    });
    for (const filter of ['userName eq "kj@jumpcloud.example"', `externalId eq "${externalId}"`]) {
      const found = await scim.get(`/Users?${filterQuery(filter)}`);
      expect((found.body.Resources as Json[]).map((u) => u.id)).toEqual([id]);
    }
  });

  it('updates with one replace per attribute, each with a path, URN paths included', async () => {
    const user = await createUser(scim, jumpCloudUser('dv@jumpcloud.example', jumpCloudId()));
    const res = await scim.patch(
      userUrl(user.id),
      patchOp(
        { op: 'replace', path: 'name.givenName', value: 'Dorothy' },
        { op: 'replace', path: 'name.familyName', value: 'Vaughan' },
        { op: 'replace', path: 'displayName', value: 'Dorothy Vaughan' },
        { op: 'replace', path: 'title', value: 'Supervisor' },
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'dorothy@jumpcloud.example' },
        { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Analysis and Computation' },
      ),
    );
    expectScim(res, 200);
    expect(await readBack(scim, userUrl(user.id))).toMatchObject({
      name: { givenName: 'Dorothy', familyName: 'Vaughan' },
      displayName: 'Dorothy Vaughan',
      title: 'Supervisor',
      emails: [{ value: 'dorothy@jumpcloud.example', type: 'work', primary: true }],
      [ENTERPRISE]: { department: 'Analysis and Computation', employeeNumber: '1918' },
    });
  });

  it('deactivates with replace of path active, suspending the personal keys; reactivates the same way', async () => {
    const user = await createUser(scim, jumpCloudUser('mj@jumpcloud.example', jumpCloudId()));
    const key = await access.personalKey(user.id);

    const off = await scim.patch(userUrl(user.id), patchOp({ op: 'replace', path: 'active', value: false }));
    expectScim(off, 200);
    expect((await readBack(scim, userUrl(user.id))).active).toBe(false);
    expect(await access.keyStatus(key.id)).toEqual({ status: 'suspended', statusReason: 'owner_inactive' });

    expectScim(await scim.patch(userUrl(user.id), patchOp({ op: 'replace', path: 'active', value: true })), 200);
    expect(await access.keyStatus(key.id)).toEqual({ status: 'active', statusReason: null });
  });

  it('deletes with DELETE; the user is gone and its lookup is empty again', async () => {
    const user = await createUser(scim, jumpCloudUser('gone@jumpcloud.example', jumpCloudId()));
    expect((await scim.delete(userUrl(user.id))).status).toBe(204);
    expect((await scim.get(userUrl(user.id))).status).toBe(404);
    expectEmptyList(await scim.get(`/Users?${filterQuery('userName eq "gone@jumpcloud.example"')}`));
  });
});

describe('JumpCloud pushes a user group bound to the application', () => {
  it('takes over a group whose name exists: the lookup by displayName finds it, and membership goes to it', async () => {
    const existing = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Existing Team' });
    const existingId = (existing.body as Json).id as string;
    const member = await createUser(scim, jumpCloudUser('taken.over@jumpcloud.example', jumpCloudId()));

    const found = await scim.get(`/Groups?${filterQuery('displayName eq "existing team"')}`);
    expectScim(found, 200);
    expect((found.body.Resources as Json[]).map((g) => g.id)).toEqual([existingId]);
    const add = patchOp({ op: 'add', path: 'members', value: [{ value: member.id }] });
    expectScim(await scim.patch(`/Groups/${existingId}`, add), 200);
    expect(memberIds(await readBack(scim, `/Groups/${existingId}`))).toEqual([member.id]);
  });

  it('creates the group, adds and removes members with minimal value arrays, renames and deletes it', async () => {
    const ann = await createUser(scim, jumpCloudUser('ann@jumpcloud.example', jumpCloudId()));
    const ben = await createUser(scim, jumpCloudUser('ben@jumpcloud.example', jumpCloudId()));

    expectEmptyList(await scim.get(`/Groups?${filterQuery('displayName eq "Launch Crew"')}`));
    const created = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Launch Crew' });
    expectScim(created, 201);
    const groupId = (created.body as Json).id as string;
    await access.setRules(groupId, [{ permission: 'deploys:run' }]);
    const service = await access.serviceKey(groupId);

    const add = patchOp({ op: 'add', path: 'members', value: [{ value: ann.id }, { value: ben.id }] });
    expectScim(await scim.patch(`/Groups/${groupId}`, add), 200);
    expect(memberIds(await readBack(scim, `/Groups/${groupId}`))).toEqual([ann.id, ben.id].sort());
    const annKey = await access.personalKey(ann.id, groupId);
    expect(await access.allowed(annKey.token, 'deploys:run')).toBe(true);

    const remove = patchOp({ op: 'remove', path: 'members', value: [{ value: ann.id }] });
    expectScim(await scim.patch(`/Groups/${groupId}`, remove), 200);
    expect(memberIds(await readBack(scim, `/Groups/${groupId}`))).toEqual([ben.id]);
    expect(await access.allowed(annKey.token, 'deploys:run')).toBe('owner_left_group');
    const annGroups = ((await readBack(scim, userUrl(ann.id))).groups as Json[] | undefined) ?? [];
    expect(annGroups.map((g) => g.value)).not.toContain(groupId);

    const rename = patchOp({ op: 'replace', path: 'displayName', value: 'Launch Crew 2' });
    expectScim(await scim.patch(`/Groups/${groupId}`, rename), 200);
    expect((await readBack(scim, `/Groups/${groupId}`)).displayName).toBe('Launch Crew 2');
    expect(await access.allowed(service.token, 'deploys:run')).toBe(true);

    expect((await scim.delete(`/Groups/${groupId}`)).status).toBe(204);
    expect(await access.keyStatus(service.id)).toEqual({ status: 'suspended', statusReason: 'group_deleted' });
  });
});
