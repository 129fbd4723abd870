import { createUser, expectScim, expectScimError, filterQuery, readBack, type Json } from '../support/clients.js';
import { ACME, acmeSchema, registerSchema } from '../support/extensions.js';
import { USER_SCHEMA, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Issue 13: an extension the organization registered (POST /api/v1/scim-schemas) is a real part of
// its users: listed in discovery, stored, returned (honouring `returned`), patched by URN path, with
// its types checked in keyscope's words.
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  expect((await registerSchema(app, acmeSchema())).status).toBe(201);
  scim = await scimClient(app);
});
afterAll(() => app.close());

const acmeUser = (userName: string, acme: Json) => ({
  schemas: [USER_SCHEMA, ACME],
  userName,
  active: true,
  [ACME]: acme,
});

describe('a registered extension in discovery', () => {
  it('appears in /Schemas and /Schemas/:urn as its RFC 7643 §7 document', async () => {
    const all = await readBack(scim, '/Schemas');
    const ids = (all.Resources as Json[]).map((s) => s.id);
    expect(ids).toContain(ACME);
    const one = await readBack(scim, `/Schemas/${ACME}`);
    expect(one).toEqual(
      expect.objectContaining({
        id: ACME,
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
        meta: expect.objectContaining({ resourceType: 'Schema' }),
      }),
    );
    expect((one.attributes as Json[]).map((a) => a.name)).toContain('costCenter');
  });

  it('appears in /ResourceTypes User schemaExtensions as optional', async () => {
    const user = await readBack(scim, '/ResourceTypes/User');
    expect(user.schemaExtensions).toEqual(expect.arrayContaining([{ schema: ACME, required: false }]));
  });
});

describe('storing and returning registered attributes', () => {
  it('stores every type on POST, returns it with the registered spelling, and lists the schema', async () => {
    const created = await createUser(
      scim,
      acmeUser('stored@acme.test', {
        COSTCENTER: 'CC-1',
        badgeNumber: 42,
        ratio: 0.5,
        contractor: 'True',
        hiredOn: '2024-01-31T00:00:00Z',
        homepage: 'https://acme.test/me',
        skills: ['go', 'sql'],
        building: { Code: 'B1', floor: 3 },
        projects: [{ value: 'apollo', role: 'lead' }],
        region: 'emea',
      }),
    );
    expect(created.schemas).toEqual(expect.arrayContaining([USER_SCHEMA, ACME]));
    const read = await readBack(scim, `/Users/${created.id}`);
    expect(read[ACME]).toEqual({
      costCenter: 'CC-1',
      badgeNumber: 42,
      ratio: 0.5,
      contractor: true,
      hiredOn: '2024-01-31T00:00:00Z',
      homepage: 'https://acme.test/me',
      skills: ['go', 'sql'],
      building: { code: 'B1', floor: 3 },
      projects: [{ value: 'apollo', role: 'lead' }],
      region: 'emea',
    });
  });

  it('keeps a writeOnly value but never returns it; returns a "request" attribute only when asked', async () => {
    const created = await createUser(
      scim,
      acmeUser('returned@acme.test', { pin: '1234', nickname: 'Nick', region: 'apac' }),
    );
    const plain = await readBack(scim, `/Users/${created.id}`);
    expect(plain[ACME]).toEqual({ region: 'apac' });
    const asked = await readBack(scim, `/Users/${created.id}?attributes=${ACME}:nickname`);
    expect(asked[ACME]).toEqual({ nickname: 'Nick', region: 'apac' });
    // returned: always survives excludedAttributes.
    const excluded = await readBack(scim, `/Users/${created.id}?excludedAttributes=${ACME}`);
    expect(excluded[ACME]).toEqual({ region: 'apac' });
    // The writeOnly value is stored, and kept by a PATCH of another attribute.
    expectScim(
      await scim.patch(`/Users/${created.id}`, patchOp({ op: 'replace', path: `${ACME}:region`, value: 'emea' })),
      200,
    );
    const { rows } = await app.db.query<{ pin: string }>(
      "SELECT attributes->$2->>'pin' AS pin FROM users WHERE id = $1",
      [created.id, ACME],
    );
    expect(rows[0]!.pin).toBe('1234');
    // …and it cannot be read back through a filter either.
    expectScimError(await scim.get(`/Users?${filterQuery(`${ACME}:pin eq "1234"`)}`), 400, 'invalidFilter');
  });

  it('honours attributes and excludedAttributes on registered attributes', async () => {
    const created = await createUser(scim, acmeUser('projection@acme.test', { costCenter: 'CC-2', badgeNumber: 7 }));
    const only = await readBack(scim, `/Users/${created.id}?attributes=${ACME}:badgeNumber`);
    expect(only[ACME]).toEqual({ badgeNumber: 7 });
    expect(only.userName).toBeUndefined();
    const without = await readBack(scim, `/Users/${created.id}?excludedAttributes=${ACME}:costCenter`);
    expect(without[ACME]).toEqual({ badgeNumber: 7 });
  });

  it('replaces the extension on PUT', async () => {
    const created = await createUser(scim, acmeUser('put@acme.test', { costCenter: 'CC-3', badgeNumber: 1 }));
    expectScim(await scim.put(`/Users/${created.id}`, acmeUser('put@acme.test', { badgeNumber: 2 })), 200);
    expect((await readBack(scim, `/Users/${created.id}`))[ACME]).toEqual({ badgeNumber: 2 });
  });
});

describe('type checks in keyscope words', () => {
  it('refuses a string where an integer is declared with 400 invalidValue', async () => {
    const res = await scim.post('/Users', acmeUser('badtype@acme.test', { badgeNumber: 'forty-two' }));
    expectScimError(res, 400, 'invalidValue');
    expect(res.body.detail).toBe(`"${ACME}:badgeNumber" must be a whole number, not a string`);
  });

  it('refuses a whole number too large to keep exactly, rather than storing it rounded', async () => {
    // 2^60 + 1 arrives as 2^60 after JSON parsing: beyond 2^53, a client's integer is not kept as sent.
    const res = await scim.post('/Users', acmeUser('huge@acme.test', { badgeNumber: 2 ** 60 }));
    expectScimError(res, 400, 'invalidValue');
    expect(res.body.detail).toBe(
      `"${ACME}:badgeNumber" must be a whole number between -9007199254740991 and 9007199254740991`,
    );
  });

  it('refuses a wrong sub-attribute type, a list for a single value, and a bad date', async () => {
    for (const [acme, detail] of [
      [{ building: { floor: 'three' } }, `"${ACME}:building.floor" must be a whole number, not a string`],
      [{ costCenter: ['a', 'b'] }, `"${ACME}:costCenter" is single-valued: send one value, not a list of 2`],
      [{ hiredOn: 'yesterday' }, `"${ACME}:hiredOn" must be a date-time such as "2024-01-31T00:00:00Z", not a string`],
      [{ contractor: 3 }, `"${ACME}:contractor" must be true or false, not a number`],
      [{ hiredOn: '2024-02-30' }, `"${ACME}:hiredOn" must be a date-time such as "2024-01-31T00:00:00Z", not a string`],
    ] as const) {
      const res = await scim.post('/Users', acmeUser('badtypes@acme.test', acme));
      expectScimError(res, 400, 'invalidValue');
      expect(res.body.detail).toBe(detail);
    }
  });

  it('refuses a wrong type in PATCH, naming the operation', async () => {
    const created = await createUser(scim, acmeUser('patchtype@acme.test', {}));
    const res = await scim.patch(
      `/Users/${created.id}`,
      patchOp({ op: 'replace', path: `${ACME}:badgeNumber`, value: 'x' }),
    );
    expectScimError(res, 400, 'invalidValue');
    expect(res.body.detail).toBe(`Operation 1: "${ACME}:badgeNumber" must be a whole number, not a string`);
  });
});

describe('PATCH by URN path', () => {
  it('adds, replaces and removes single attributes by URN path (any case)', async () => {
    const created = await createUser(scim, acmeUser('patch@acme.test', { costCenter: 'CC-1' }));
    expectScim(
      await scim.patch(
        `/Users/${created.id}`,
        patchOp(
          { op: 'Add', path: `${ACME}:badgeNumber`, value: 5 },
          { op: 'Replace', path: `${ACME.toUpperCase().replace('URN:', 'urn:')}:COSTCENTER`, value: 'CC-9' },
          { op: 'add', path: `${ACME}:building.floor`, value: 2 },
        ),
      ),
      200,
    );
    expect((await readBack(scim, `/Users/${created.id}`))[ACME]).toEqual({
      costCenter: 'CC-9',
      badgeNumber: 5,
      building: { floor: 2 },
    });
    expectScim(await scim.patch(`/Users/${created.id}`, patchOp({ op: 'remove', path: `${ACME}:costCenter` })), 200);
    expect((await readBack(scim, `/Users/${created.id}`))[ACME]).toEqual({ badgeNumber: 5, building: { floor: 2 } });
  });

  it('applies values nested under the URN key in a pathless operation, and URN-qualified keys', async () => {
    const created = await createUser(scim, acmeUser('pathless@acme.test', { costCenter: 'A', skills: ['go'] }));
    const res = await scim.patch(
      `/Users/${created.id}`,
      patchOp(
        { op: 'replace', value: { [ACME]: { costCenter: 'B', badgeNumber: 3 } } },
        { op: 'add', value: { [ACME]: { skills: ['sql', 'go'] }, [`${ACME}:ratio`]: 1.5 } },
      ),
    );
    expectScim(res, 200);
    expect(res.body[ACME]).toEqual({ costCenter: 'B', badgeNumber: 3, skills: ['go', 'sql'], ratio: 1.5 });
  });

  it('patches elements of a multi-valued complex attribute through a value filter', async () => {
    const created = await createUser(
      scim,
      acmeUser('filter@acme.test', { projects: [{ value: 'apollo', role: 'lead' }, { value: 'gemini' }] }),
    );
    const res = await scim.patch(
      `/Users/${created.id}`,
      patchOp(
        { op: 'replace', path: `${ACME}:projects[value eq "gemini"].role`, value: 'member' },
        { op: 'remove', path: `${ACME}:projects[value eq "apollo"]` },
        { op: 'add', path: `${ACME}:projects[value eq "mercury"].role`, value: 'advisor' },
      ),
    );
    expectScim(res, 200);
    expect(res.body[ACME].projects).toEqual([
      { value: 'gemini', role: 'member' },
      { value: 'mercury', role: 'advisor' },
    ]);
  });

  it('removes the extension as a whole, and the schema leaves the user', async () => {
    const created = await createUser(scim, acmeUser('whole@acme.test', { costCenter: 'A' }));
    const res = await scim.patch(`/Users/${created.id}`, patchOp({ op: 'remove', path: ACME }));
    expectScim(res, 200);
    expect(res.body[ACME]).toBeUndefined();
    expect(res.body.schemas).toEqual([USER_SCHEMA]);
  });

  it('changes nothing (same version) when the value is already there', async () => {
    const created = await createUser(scim, acmeUser('same@acme.test', { costCenter: 'A' }));
    const res = await scim.patch(
      `/Users/${created.id}`,
      patchOp({ op: 'replace', path: `${ACME}:costCenter`, value: 'A' }),
    );
    expectScim(res, 200);
    expect(res.body.meta.version).toBe((created.meta as Json).version);
  });

  it('refuses an attribute the registered schema does not define with invalidPath', async () => {
    const created = await createUser(scim, acmeUser('unknown@acme.test', {}));
    const res = await scim.patch(`/Users/${created.id}`, patchOp({ op: 'add', path: `${ACME}:nothing`, value: 'x' }));
    expectScimError(res, 400, 'invalidPath');
  });
});

describe('an extension whose URN extends another registered one', () => {
  it('resolves paths to the longest URN: filters, PATCH and storage keep the two apart', async () => {
    const V2 = `${ACME}:v2`;
    expect((await registerSchema(app, { id: V2, attributes: [{ name: 'level', type: 'integer' }] })).status).toBe(201);
    const created = await createUser(scim, {
      schemas: [USER_SCHEMA, ACME, V2],
      userName: 'nested-urn@acme.test',
      [ACME]: { costCenter: 'N' },
      [V2]: { level: 3 },
    });
    expect(created[V2]).toEqual({ level: 3 });
    const res = await scim.patch(`/Users/${created.id}`, patchOp({ op: 'replace', path: `${V2}:level`, value: 4 }));
    expectScim(res, 200);
    expect(res.body[V2]).toEqual({ level: 4 });
    expect(res.body[ACME]).toEqual({ costCenter: 'N' });
    const found = await readBack(scim, `/Users?${filterQuery(`${V2}:level eq 4`)}`);
    expect((found.Resources as Json[]).map((u) => u.userName)).toEqual(['nested-urn@acme.test']);
  });
});
