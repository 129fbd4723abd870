import type { Response } from 'supertest';
import { findGroup } from '../../src/groups/groups-store.js';
import type { GroupRecord } from '../../src/groups/groups.js';
import { scimmy } from '../../src/schema/scimmy.js';
import { findUser } from '../../src/users/users-store.js';
import type { UserRecord } from '../../src/users/users.js';
import { createGroup, createUser, readAll, seedVariedUsers, type ScimDoc } from '../support/fixtures.js';
import {
  ENTERPRISE,
  USER_SCHEMA,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * keyscope renders resources with its own serializers (scimUser, scimGroup) rather than scimmy's
 * per-request coercion. This holds them to scimmy's output representation: for each stored
 * resource, the GET answer must deep-equal `new SCIMMY.Schemas.User(record, "out", <absolute base>)`
 * built from the same database record.
 */

const S = scimmy();

let app: TestApp;
let scim: ScimClient;
let userIds: string[];
let groupIds: string[];
let entraManagerTarget: string;
let managerId: string;
let managedUser: string;

/** The absolute base the server was reached at, from the request itself (not from the answer). */
function baseOf(res: Response): string {
  return `${new URL(res.request.url).origin}/scim/v2`;
}

function excludedFilter(excluded: string | undefined) {
  return excluded === undefined
    ? undefined
    : new S.Types.Filter(
        excluded
          .split(',')
          .map((a) => `${a} np`)
          .join(' and '),
      );
}

function meta(record: { createdAt: Date; updatedAt: Date; version: number }) {
  return { created: record.createdAt, lastModified: record.updatedAt, version: `W/"${record.version}"` };
}

/** scimmy's output for a stored user; the columns and the attributes document are its data. */
function scimmyUser(record: UserRecord, base: string, excluded?: string): Record<string, unknown> {
  const data: Record<string, unknown> = {
    ...record.attributes,
    id: record.id,
    userName: record.userName,
    active: record.active,
    ...(record.externalId !== null ? { externalId: record.externalId } : {}),
    ...(record.displayName !== null ? { displayName: record.displayName } : {}),
    groups: (record.groups ?? []).map((g) => ({
      value: g.value,
      $ref: `${base}/Groups/${g.value}`,
      display: g.display,
      type: g.type,
    })),
    meta: meta(record),
  };
  return JSON.parse(
    JSON.stringify(new S.Schemas.User(data, 'out', `${base}/Users`, excludedFilter(excluded))),
  ) as Record<string, unknown>;
}

function scimmyGroup(record: GroupRecord, base: string, excluded?: string): Record<string, unknown> {
  const data: Record<string, unknown> = {
    id: record.id,
    displayName: record.displayName,
    ...(record.externalId !== null ? { externalId: record.externalId } : {}),
    members: (record.members ?? []).map((m) => ({
      value: m.value,
      $ref: `${base}/${m.type === 'User' ? 'Users' : 'Groups'}/${m.value}`,
      type: m.type,
      ...(m.display !== null ? { display: m.display } : {}),
    })),
    meta: meta(record),
  };
  return JSON.parse(
    JSON.stringify(new S.Schemas.Group(data, 'out', `${base}/Groups`, excludedFilter(excluded))),
  ) as Record<string, unknown>;
}

/** Users shaped as Okta, Entra ID and hand-written clients send them, beyond the varied population. */
function unusualUsers(managerId: string): Record<string, unknown>[] {
  return [
    {
      // Attribute names in odd case, every multi-valued attribute, Entra's "False" and a plain-id manager.
      schemas: [USER_SCHEMA, ENTERPRISE],
      USERNAME: 'Rich.Case@Example.com',
      Name: {
        Formatted: 'Ms. Rich Case III',
        GivenName: 'Rich',
        FamilyName: 'Case',
        honorificPrefix: 'Ms.',
        honorificSuffix: 'III',
      },
      nickName: 'rc',
      profileUrl: 'https://example.com/rc',
      locale: 'en-US',
      timezone: 'Europe/Paris',
      preferredLanguage: 'en',
      userType: 'Employee',
      phoneNumbers: [
        { value: '+1 555 0100', type: 'work', primary: true },
        { value: '+1 555 0101', type: 'mobile' },
      ],
      addresses: [
        {
          streetAddress: '1 Main St',
          locality: 'Springfield',
          region: 'IL',
          postalCode: '62701',
          country: 'US',
          type: 'work',
          primary: true,
        },
      ],
      ims: [{ value: 'rc@im.example', type: 'xmpp' }],
      photos: [{ value: 'https://example.com/rc.png', type: 'photo' }],
      roles: [{ value: 'admin', primary: true }],
      entitlements: [{ value: 'ent-1' }],
      x509Certificates: [{ value: 'MIIBIjANBgkq' }],
      emails: [{ value: 'rich.case@example.com', type: 'work', display: 'Rich', primary: true }],
      [ENTERPRISE]: {
        employeeNumber: '7',
        costCenter: 'cc-1',
        organization: 'Org',
        division: 'Div',
        department: 'Dept',
        manager: managerId,
      },
      active: 'False',
      password: 'never-stored-Secret1',
    },
    // Only what is required.
    { schemas: [USER_SCHEMA], userName: 'bare@example.com' },
    // Unknown attributes and an unknown extension object are not stored, null and "" mean "no value".
    {
      schemas: [USER_SCHEMA],
      userName: 'odd@example.com',
      favouriteColour: 'blue',
      title: null,
      nickName: '',
      displayName: 'Odd One',
      externalId: 'X-ODD',
    },
    // Unicode everywhere.
    {
      schemas: [USER_SCHEMA],
      userName: 'zoë.ångström@例え.jp',
      name: { givenName: 'Zoë', familyName: 'Ångström' },
      displayName: 'Zoë Ångström 🎉',
    },
  ];
}

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  const varied = await seedVariedUsers(scim, 24);
  const manager = varied[0]!;
  for (const body of unusualUsers(manager.id)) await createUser(scim, body);
  // Users as PATCH leaves them: Entra's dotted and URN-qualified keys, a value-path update, a removal.
  const patched = [varied[1]!, varied[2]!, varied[3]!, varied[6]!];
  const patches = [
    patchOp({
      op: 'Replace',
      value: { 'name.givenName': 'Renamed', [`${ENTERPRISE}:department`]: 'Moved', active: 'True' },
    }),
    patchOp({ op: 'replace', path: 'emails[type eq "work"].value', value: 'changed@example.com' }),
    patchOp(
      { op: 'remove', path: 'title' },
      { op: 'add', path: 'phoneNumbers', value: [{ value: '+33 1', type: 'work' }] },
    ),
    patchOp(
      { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Replaced' },
      { op: 'remove', path: `${ENTERPRISE}:employeeNumber` },
    ),
  ];
  for (const [i, user] of patched.entries()) {
    const res = await scim.patch(`/Users/${user.id}`, patches[i]!);
    if (res.status !== 200) throw new Error(`patch ${i} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  // Groups: direct members with and without display, a nested group (indirect memberships), an empty one.
  const inner = await createGroup(scim, 'Inner', {
    members: [{ value: varied[3]!.id, display: 'Shown As Sent' }, { value: varied[4]!.id }],
  });
  await createGroup(scim, 'Outer', {
    externalId: 'outer-ext',
    members: [{ value: inner.id }, { value: varied[5]!.id }],
  });
  await createGroup(scim, 'Empty');
  await createGroup(scim, 'Ünïcode 👥', { externalId: 'G-1', members: [{ value: varied[3]!.id }] });
  entraManagerTarget = varied[4]!.id;
  managedUser = varied[12]!.id;
  managerId = manager.id;
  userIds = (await readAll(scim, 'Users')).map((u) => u.id);
  groupIds = (await readAll(scim, 'Groups')).map((g) => g.id);
}, 120_000);
afterAll(() => app.close());

async function storedUser(id: string): Promise<UserRecord> {
  const record = await findUser(app.db, app.orgId, id, { withGroups: true });
  if (!record) throw new Error(`user ${id} is not stored`);
  return record;
}

async function storedGroup(id: string): Promise<GroupRecord> {
  const record = await findGroup(app.db, app.orgId, id, { withMembers: true });
  if (!record) throw new Error(`group ${id} is not stored`);
  return record;
}

describe('user representation', () => {
  it('covers users with groups, indirect groups, extensions and no optional attributes', async () => {
    const users: ScimDoc[] = await readAll(scim, 'Users');
    expect(users.length).toBeGreaterThan(25);
    const groupTypes = users.flatMap((u) => (u.groups as { type: string }[]).map((g) => g.type));
    expect(new Set(groupTypes)).toEqual(new Set(['direct', 'indirect']));
  });

  it('equals scimmy output for every stored user', async () => {
    for (const id of userIds) {
      const res = await scim.get(`/Users/${id}`);
      expect(res.status).toBe(200);
      expect({ id, body: res.body }).toEqual({ id, body: scimmyUser(await storedUser(id), baseOf(res)) });
    }
  });

  it('equals scimmy output in a list, resource by resource', async () => {
    const res = await scim.get('/Users?count=1000');
    expect(res.status).toBe(200);
    for (const doc of res.body.Resources as ScimDoc[]) {
      expect(doc).toEqual(scimmyUser(await storedUser(doc.id), baseOf(res)));
    }
  });

  it.each([
    'userName',
    'name',
    'displayName',
    'nickName',
    'title',
    'active',
    'emails',
    'phoneNumbers',
    'addresses',
    'groups',
    'externalId',
    'meta',
    ENTERPRISE,
    'emails,groups,meta',
    `name,title,${ENTERPRISE}`,
  ])('equals scimmy output with excludedAttributes=%s', async (excluded) => {
    for (const id of userIds) {
      const res = await scim.get(`/Users/${id}?excludedAttributes=${encodeURIComponent(excluded)}`);
      expect(res.status).toBe(200);
      expect({ id, body: res.body }).toEqual({ id, body: scimmyUser(await storedUser(id), baseOf(res), excluded) });
    }
  });

  // DESIGN §6: Entra sets the manager as a plain id, on users with or without a manager; RFC 7644
  // §3.5.2.3 makes a replace of an attribute that does not exist an add.
  it.each([
    ['without', () => entraManagerTarget],
    ['with', () => managedUser],
  ])('equals scimmy output after Entra sets the manager of a user %s one with a plain id', async (_with, target) => {
    const id = target();
    const res = await scim.patch(
      `/Users/${id}`,
      patchOp({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: managerId }),
    );
    expect({ status: res.status, body: res.body }).toMatchObject({
      status: 200,
      body: { [ENTERPRISE]: { manager: { value: managerId } } },
    });
    const read = await scim.get(`/Users/${id}`);
    expect(read.body).toEqual(scimmyUser(await storedUser(id), baseOf(read)));
  });

  it('never returns the password (RFC 7643 §4.1.1 returned "never")', async () => {
    for (const id of userIds) {
      const res = await scim.get(`/Users/${id}`);
      expect(JSON.stringify(res.body)).not.toMatch(/password|never-stored/i);
    }
  });
});

describe('group representation', () => {
  it('equals scimmy output for every stored group', async () => {
    expect(groupIds).toHaveLength(4);
    for (const id of groupIds) {
      const res = await scim.get(`/Groups/${id}`);
      expect(res.status).toBe(200);
      expect({ id, body: res.body }).toEqual({ id, body: scimmyGroup(await storedGroup(id), baseOf(res)) });
    }
  });

  it('equals scimmy output in a list', async () => {
    const res = await scim.get('/Groups?count=1000');
    expect(res.status).toBe(200);
    for (const doc of res.body.Resources as ScimDoc[]) {
      expect(doc).toEqual(scimmyGroup(await storedGroup(doc.id), baseOf(res)));
    }
  });

  it.each(['displayName', 'externalId', 'members', 'meta', 'members,externalId'])(
    'equals scimmy output with excludedAttributes=%s',
    async (excluded) => {
      for (const id of groupIds) {
        const res = await scim.get(`/Groups/${id}?excludedAttributes=${encodeURIComponent(excluded)}`);
        expect(res.status).toBe(200);
        expect({ id, body: res.body }).toEqual({ id, body: scimmyGroup(await storedGroup(id), baseOf(res), excluded) });
      }
    },
  );
});
