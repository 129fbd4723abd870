import {
  ENTERPRISE,
  createKey,
  oktaUser,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

let app: TestApp;
let scim: ScimClient;
const admin = () => ({ Authorization: `Bearer ${app.adminToken}` });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const IN_PAYMENTS = `${ENTERPRISE}:department eq "Payments"`;

async function user(name: string, department?: string): Promise<string> {
  const extra = department ? { schemas: oktaUser('x').schemas.concat(ENTERPRISE), [ENTERPRISE]: { department } } : {};
  const res = await scim.post('/Users', oktaUser(`${name}@example.com`, extra));
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function group(name: string, members: string[] = []): Promise<string> {
  const res = await scim.post('/Groups', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName: name,
    members: members.map((value) => ({ value })),
  });
  return res.body.id as string;
}

function putRules(groupId: string, rules: unknown[], token = app.adminToken) {
  return app.http.put(`/api/v1/groups/${groupId}/rules`).set(bearer(token)).send({ rules });
}

async function allowed(token: string, permission: string): Promise<boolean> {
  const res = await app.http.post('/api/v1/authorize').set(bearer(token)).send({ permission });
  expect(res.status).toBe(200);
  return res.body.allowed as boolean;
}

async function setDepartment(userId: string, department: string | null) {
  const op =
    department === null
      ? { op: 'remove', path: `${ENTERPRISE}:department` }
      : { op: 'replace', path: `${ENTERPRISE}:department`, value: department };
  const res = await scim.patch(`/Users/${userId}`, patchOp(op));
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  app = await startTestApp({ env: { KEYSCOPE_PERMISSIONS: 'payments:approve,payments:read' } });
  scim = await scimClient(app);
});
afterAll(() => app.close());

describe('a rule with a condition on the person (issue 13)', () => {
  it("grants a personal key only while its owner matches, re-evaluated on the owner's next change", async () => {
    const ann = await user('ann', 'Payments');
    const g = await group('Finance', [ann]);
    expect(
      (await putRules(g, [{ permission: 'payments:read' }, { permission: 'payments:approve', when: IN_PAYMENTS }]))
        .status,
    ).toBe(200);
    const { token } = await createKey(app, { name: 'ann laptop', kind: 'personal', ownerUserId: ann });
    expect(await allowed(token, 'payments:approve')).toBe(true);
    expect(await allowed(token, 'payments:read')).toBe(true);

    await setDepartment(ann, 'Treasury');
    expect(await allowed(token, 'payments:approve')).toBe(false);
    expect(await allowed(token, 'payments:read')).toBe(true);
    await setDepartment(ann, null);
    expect(await allowed(token, 'payments:approve')).toBe(false);
    await setDepartment(ann, 'payments'); // eq on a caseExact=false string: as GET /Users?filter= answers
    expect(await allowed(token, 'payments:approve')).toBe(true);
  });

  it('/api/v1/me lists each conditional rule with its when and whether it holds now', async () => {
    const bo = await user('bo', 'Sales');
    const g = await group('Approvers', [bo]);
    await putRules(g, [{ permission: 'payments:approve', when: IN_PAYMENTS }]);
    const { token } = await createKey(app, { name: 'bo', kind: 'personal', ownerUserId: bo });
    let me = await app.http.get('/api/v1/me').set(bearer(token));
    expect(me.status).toBe(200);
    expect(me.body.conditionalRules).toEqual([
      { permission: 'payments:approve', resources: null, when: IN_PAYMENTS, holds: false },
    ]);
    expect(me.body.permissions).toEqual([]);
    await setDepartment(bo, 'Payments');
    me = await app.http.get('/api/v1/me').set(bearer(token));
    expect(me.body.conditionalRules).toEqual([
      { permission: 'payments:approve', resources: null, when: IN_PAYMENTS, holds: true },
    ]);
    expect(me.body.permissions).toEqual([{ permission: 'payments:approve', resources: null }]);
  });

  it('grants a key acting for no person (a service key) nothing, whoever is in the group', async () => {
    const cy = await user('cy', 'Payments');
    const g = await group('Payments bots', [cy]);
    await putRules(g, [{ permission: 'payments:read' }, { permission: 'payments:approve', when: 'userName pr' }]);
    const { token } = await createKey(app, { name: 'payments bot', groupId: g });
    expect(await allowed(token, 'payments:read')).toBe(true);
    expect(await allowed(token, 'payments:approve')).toBe(false);
    const me = await app.http.get('/api/v1/me').set(bearer(token));
    expect(me.body.conditionalRules).toEqual([
      { permission: 'payments:approve', resources: null, when: 'userName pr', holds: false },
    ]);
  });

  it('a personal key narrowed to a group evaluates the condition on its owner; roles and resources work too', async () => {
    const di = await user('di', 'Payments');
    const g = await group('Ops', [di]);
    await putRules(g, [
      { role: 'viewer', when: 'active eq true' },
      { permission: 'payments:approve', resources: ['acct-1'], when: `${IN_PAYMENTS} and userName sw "di@"` },
    ]);
    const { token } = await createKey(app, { name: 'di ci', kind: 'personal', ownerUserId: di, groupId: g });
    const res = await app.http.post('/api/v1/authorize').set(bearer(token)).send({
      permission: 'payments:approve',
      resource: 'acct-1',
    });
    expect(res.body.allowed).toBe(true);
    expect(await allowed(token, 'payments:approve')).toBe(false); // only on acct-1
    expect(await allowed(token, 'users:read')).toBe(true); // from the viewer role
    await setDepartment(di, 'Ops');
    const after = await app.http.post('/api/v1/authorize').set(bearer(token)).send({
      permission: 'payments:approve',
      resource: 'acct-1',
    });
    expect(after.body.allowed).toBe(false);
  });

  it('a group membership in the condition follows the membership', async () => {
    const ed = await user('ed');
    const onCall = await group('On call');
    const g = await group('Everyone', [ed]);
    await putRules(g, [{ permission: 'payments:approve', when: `groups[display eq "On call"]` }]);
    const { token } = await createKey(app, { name: 'ed', kind: 'personal', ownerUserId: ed });
    expect(await allowed(token, 'payments:approve')).toBe(false);
    const add = await scim.patch(`/Groups/${onCall}`, patchOp({ op: 'add', path: 'members', value: [{ value: ed }] }));
    expect([200, 204]).toContain(add.status);
    expect(await allowed(token, 'payments:approve')).toBe(true);
  });
});

describe('an invalid condition is refused with a 400 naming the rule and the problem', () => {
  const cases: [string, string, RegExp][] = [
    ['unparsable', 'department eq', /rules\[1\]\.when is not a condition on the user: .+/],
    ['an unknown attribute', 'shoeSize eq "9"', /rules\[1\]\.when .*"shoeSize" is not an attribute/],
    ['about groups, not users', 'members.value eq "x"', /rules\[1\]\.when .*"members.value" is not an attribute/],
    [
      'a Group schema attribute',
      'urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "x"',
      /rules\[1\]\.when .*is not an attribute/,
    ],
    ['a value of the wrong type', 'active eq "yes"', /rules\[1\]\.when is not a condition on the user: .+/],
  ];
  it.each(cases)('%s, on PUT /api/v1/groups/:id/rules and POST /api/v1/groups', async (_name, when, message) => {
    const g = await group(`Refusing ${_name}`);
    const rules = [{ permission: 'payments:read' }, { permission: 'payments:approve', when }];
    const put = await putRules(g, rules);
    expect(put.status).toBe(400);
    expect(put.body.detail).toMatch(message);
    expect(put.body.errors?.[0]?.field).toBe('rules.1.when');
    const post = await app.http
      .post('/api/v1/groups')
      .set(admin())
      .send({ displayName: `local ${_name}`, rules });
    expect(post.status).toBe(400);
    expect(post.body.detail).toMatch(message);
    const unchanged = await app.http.get(`/api/v1/groups/${g}`).set(admin());
    expect(unchanged.body.rules).toEqual([]);
  });

  it('an empty condition is refused too (leave `when` out instead)', async () => {
    const g = await group('Empty when');
    const res = await putRules(g, [{ permission: 'payments:read', when: '  ' }]);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/rules\.0\.when/);
  });
});

describe('no escalation (DESIGN §9)', () => {
  it('a caller cannot set a conditional rule granting what it does not hold', async () => {
    const g = await group('Escalation target');
    const writers = await app.http
      .post('/api/v1/groups')
      .set(admin())
      .send({
        displayName: 'Writers',
        rules: [{ permission: 'groups:write' }, { permission: 'groups:read' }, { permission: 'payments:read' }],
      });
    const { token } = await createKey(app, { name: 'group writer', groupId: writers.body.id });
    const ok = await putRules(g, [{ permission: 'payments:read', when: 'active eq true' }], token);
    expect([ok.status, ok.body.detail]).toEqual([200, undefined]);
    const res = await putRules(g, [{ permission: 'payments:approve', when: 'active eq true' }], token);
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/payments:approve/);
  });

  it('the admin view returns the rules with their when', async () => {
    const g = await group('Shown');
    await putRules(g, [{ permission: 'payments:approve', when: IN_PAYMENTS }]);
    const res = await app.http.get(`/api/v1/groups/${g}`).set(admin());
    expect(res.body.rules).toEqual([{ permission: 'payments:approve', when: IN_PAYMENTS }]);
  });
});
