import { scimmy } from '../../src/schema/scimmy.js';
import { createGroup, createUser, oneOrigin, type ScimDoc } from '../support/fixtures.js';
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

/**
 * `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): which attributes a response holds.
 * `id` and `schemas` are returned whatever is asked (RFC 7643 §3.1 and §7, returned "always").
 */

const S = scimmy();

let app: TestApp;
let scim: ScimClient;
let manager: ScimDoc;
let full: ScimDoc;
let group: ScimDoc;

function fullUser(managerId: string): Record<string, unknown> {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    userName: 'projected@example.com',
    externalId: 'proj-1',
    name: { givenName: 'Pro', familyName: 'Jected', middleName: 'M' },
    displayName: 'Pro Jected',
    title: 'Engineer',
    nickName: 'pj',
    emails: [
      { value: 'projected@example.com', type: 'work', primary: true },
      { value: 'pj@home.example', type: 'home' },
      { value: 'pj2@work.example', type: 'work' },
    ],
    phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
    addresses: [{ locality: 'Springfield', country: 'US', type: 'work' }],
    active: true,
    [ENTERPRISE]: { department: 'R&D', employeeNumber: '42', manager: { value: managerId } },
  };
}

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  manager = await createUser(scim, { schemas: [USER_SCHEMA], userName: 'boss@example.com', displayName: 'The Boss' });
  const created = await createUser(scim, fullUser(manager.id));
  group = await createGroup(scim, 'Projected group', {
    externalId: 'pg-1',
    members: [{ value: created.id }, { value: manager.id }],
  });
  full = oneOrigin((await scim.get(`/Users/${created.id}`)).body as ScimDoc);
});
afterAll(() => app.close());

async function userWith(query: string): Promise<Record<string, unknown>> {
  const res = await scim.get(`/Users/${full.id}?${query}`);
  expect({ query, status: res.status }).toEqual({ query, status: 200 });
  return oneOrigin(res.body as Record<string, unknown>);
}

function withoutSchemas(doc: Record<string, unknown>): Record<string, unknown> {
  const { schemas: _schemas, ...rest } = doc;
  return rest;
}

const ext = (doc: Record<string, unknown>) => doc[ENTERPRISE] as Record<string, unknown>;

describe('attributes', () => {
  // scimmy's attribute projection is the reference for top-level core attributes; it leaves out
  // `schemas`, which keyscope always returns (RFC 7643 §3.1), so that one key is compared apart.
  it.each([
    'userName',
    'userName,emails',
    'name,title',
    'displayName,active,externalId',
    'meta',
    'phoneNumbers,addresses',
    'groups',
    'nickName,profileUrl',
  ])('attributes=%s returns what scimmy returns, plus schemas', async (attributes) => {
    const ours = await userWith(`attributes=${encodeURIComponent(attributes)}`);
    const filter = new S.Types.Filter(
      attributes
        .split(',')
        .map((a) => `${a} pr`)
        .join(' and '),
    );
    const reference = JSON.parse(
      JSON.stringify(
        new S.Schemas.User(full, 'out', (full.meta as { location: string }).location.replace(/\/[^/]+$/, ''), filter),
      ),
    ) as Record<string, unknown>;
    expect(ours.schemas).toEqual(full.schemas);
    expect(withoutSchemas(ours)).toEqual(withoutSchemas(reference));
  });

  it('returns only id and schemas for attributes=id and for unknown attributes', async () => {
    for (const attributes of ['id', 'doesNotExist', 'name.doesNotExist', 'urn:example:unknown:1.0:Thing:x']) {
      expect(await userWith(`attributes=${encodeURIComponent(attributes)}`)).toEqual({
        id: full.id,
        schemas: full.schemas,
      });
    }
  });

  it('returns one sub-attribute of a complex attribute', async () => {
    expect(await userWith('attributes=name.givenName')).toEqual({
      id: full.id,
      schemas: full.schemas,
      name: { givenName: 'Pro' },
    });
    expect(await userWith('attributes=name.givenName,name.familyName,userName')).toEqual({
      id: full.id,
      schemas: full.schemas,
      userName: 'projected@example.com',
      name: { givenName: 'Pro', familyName: 'Jected' },
    });
  });

  it('returns one sub-attribute of every element of a multi-valued attribute', async () => {
    const doc = await userWith('attributes=emails.value');
    expect(doc).toEqual({
      id: full.id,
      schemas: full.schemas,
      emails: (full.emails as { value: string }[]).map((e) => ({ value: e.value })),
    });
  });

  it('reads attribute names in any case (RFC 7643 §2.1)', async () => {
    expect(await userWith('attributes=USERNAME,Name.GivenName')).toEqual({
      id: full.id,
      schemas: full.schemas,
      userName: 'projected@example.com',
      name: { givenName: 'Pro' },
    });
  });

  it('returns extension attributes named by their URN, whole or in part (RFC 7644 §3.10)', async () => {
    expect(ext(await userWith(`attributes=${ENTERPRISE}`))).toEqual(ext(full));
    expect(ext(await userWith(`attributes=${ENTERPRISE.toLowerCase()}`))).toEqual(ext(full));
    expect(await userWith(`attributes=${ENTERPRISE}:department`)).toEqual({
      id: full.id,
      schemas: full.schemas,
      [ENTERPRISE]: { department: 'R&D' },
    });
    expect(ext(await userWith(`attributes=${ENTERPRISE}:manager.value,${ENTERPRISE}:employeeNumber`))).toEqual({
      employeeNumber: '42',
      manager: { value: manager.id },
    });
    expect(ext(await userWith(`attributes=userName,${ENTERPRISE}:Department`))).toEqual({ department: 'R&D' });
  });

  // Microsoft's SCIM validator asks for `attributes=emails[type eq "work"]`; it must get e-mails back.
  it('returns the e-mails for attributes=emails[type eq "work"]', async () => {
    const doc = await userWith(`attributes=${encodeURIComponent('emails[type eq "work"]')}`);
    expect(Object.keys(doc).sort()).toEqual(['emails', 'id', 'schemas']);
    const work = (full.emails as { type: string }[]).filter((e) => e.type === 'work');
    expect(doc.emails).toEqual(expect.arrayContaining(work));
  });

  it('applies to every resource of a list', async () => {
    const res = await scim.get(`/Users?filter=${encodeURIComponent('userName ew "@example.com"')}&attributes=userName`);
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(2);
    for (const doc of res.body.Resources as Record<string, unknown>[])
      expect(Object.keys(doc).sort()).toEqual(['id', 'schemas', 'userName']);
  });

  it('applies to the resource a POST or PUT answers with (RFC 7644 §3.9)', async () => {
    const created = await scim.post('/Users?attributes=userName', {
      schemas: [USER_SCHEMA],
      userName: 'posted@example.com',
      title: 'x',
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: created.body.id, schemas: [USER_SCHEMA], userName: 'posted@example.com' });
    const replaced = await scim.put(`/Users/${created.body.id as string}?excludedAttributes=meta,groups`, {
      schemas: [USER_SCHEMA],
      userName: 'posted@example.com',
      title: 'y',
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual({
      id: created.body.id,
      schemas: [USER_SCHEMA],
      userName: 'posted@example.com',
      title: 'y',
      active: true,
    });
  });
});

describe('excludedAttributes', () => {
  it('leaves out one sub-attribute and keeps everything else', async () => {
    const { familyName: _f, ...name } = full.name as Record<string, unknown>;
    expect(await userWith('excludedAttributes=name.familyName')).toEqual({ ...full, name });
    expect(await userWith('excludedAttributes=emails.type')).toEqual({
      ...full,
      emails: (full.emails as Record<string, unknown>[]).map(({ type: _t, ...rest }) => rest),
    });
  });

  it('leaves out extension attributes named by their URN', async () => {
    const { department: _d, ...rest } = ext(full);
    expect(await userWith(`excludedAttributes=${ENTERPRISE}:department`)).toEqual({ ...full, [ENTERPRISE]: rest });
    const { [ENTERPRISE]: _e, ...withoutExtension } = full;
    expect(await userWith(`excludedAttributes=${ENTERPRISE}`)).toEqual(withoutExtension);
  });

  it('reads attribute names in any case', async () => {
    const { emails: _e, title: _t, ...rest } = full;
    expect(await userWith('excludedAttributes=EMAILS,Title')).toEqual(rest);
  });

  it('never leaves out id or schemas', async () => {
    expect(await userWith('excludedAttributes=id,schemas')).toEqual(full);
  });
});

describe('groups', () => {
  async function groupWith(query: string): Promise<Record<string, unknown>> {
    const res = await scim.get(`/Groups/${group.id}?${query}`);
    expect({ query, status: res.status }).toEqual({ query, status: 200 });
    return oneOrigin(res.body as Record<string, unknown>);
  }

  it('leaves out members with excludedAttributes=members, in a read and in a list (DESIGN §6, Entra)', async () => {
    const whole = await groupWith('');
    expect(whole.members).toHaveLength(2);
    const { members: _m, ...rest } = whole;
    expect(await groupWith('excludedAttributes=members')).toEqual(rest);
    const list = await scim.get(
      `/Groups?filter=${encodeURIComponent('displayName eq "Projected group"')}&excludedAttributes=members`,
    );
    expect(oneOrigin(list.body.Resources)).toEqual([rest]);
  });

  it('returns members alone, or one of their sub-attributes', async () => {
    const whole = await groupWith('');
    expect(await groupWith('attributes=members')).toEqual({
      id: group.id,
      schemas: [GROUP_SCHEMA],
      members: whole.members,
    });
    expect(await groupWith('attributes=members.value')).toEqual({
      id: group.id,
      schemas: [GROUP_SCHEMA],
      members: (whole.members as { value: string }[]).map((m) => ({ value: m.value })),
    });
    expect(await groupWith('attributes=displayName')).toEqual({
      id: group.id,
      schemas: [GROUP_SCHEMA],
      displayName: 'Projected group',
    });
  });

  it('answers a PATCH that asks for attributes with the projected group', async () => {
    const other = await createUser(scim, { schemas: [USER_SCHEMA], userName: 'joiner@example.com' });
    const res = await scim.patch(
      `/Groups/${group.id}?attributes=members.value`,
      patchOp({ op: 'add', path: 'members', value: [{ value: other.id }] }),
    );
    expect(res.status).toBe(200);
    expect(Object.keys(res.body as object).sort()).toEqual(['id', 'members', 'schemas']);
    expect((res.body.members as { value: string }[]).map((m) => m.value).sort()).toEqual(
      [full.id, manager.id, other.id].sort(),
    );
  });
});
