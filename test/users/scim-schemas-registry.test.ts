import { createKey, startTestApp, type TestApp } from '../support/test-app.js';
import { ACME, acmeSchema, registerSchema } from '../support/extensions.js';
import { bearer, createOrganization } from '../support/orgs.js';

// Issue 13: organizations register their own SCIM extension schemas (RFC 7643 §7) through the admin
// API; org:admin only, audited, per organization.
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const get = (url: string, token = app.adminToken) => app.http.get(url).set(bearer(token));

describe('registering an extension schema', () => {
  it('registers, lists, reads back by URN in any case, and audits', async () => {
    const res = await registerSchema(app, acmeSchema());
    expect(res.status).toBe(201);
    expect(res.body.schema).toEqual(
      expect.objectContaining({ id: ACME, name: 'AcmeUser', attributes: expect.any(Array) }),
    );
    // Every characteristic spelled out, with RFC 7643 §2.2 defaults.
    expect(res.body.schema.attributes[1]).toEqual({
      name: 'badgeNumber',
      type: 'integer',
      multiValued: false,
      description: '',
      required: false,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'none',
    });

    const list = await get('/api/v1/scim-schemas');
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { schema: { id: string } }) => i.schema.id)).toEqual([ACME]);

    const one = await get(`/api/v1/scim-schemas/${encodeURIComponent(ACME.toUpperCase())}`);
    expect(one.status).toBe(200);
    expect(one.body.schema.id).toBe(ACME);

    const audit = await get('/api/v1/audit?action=scim_schema.register');
    expect(audit.body.items[0]).toEqual(
      expect.objectContaining({ action: 'scim_schema.register', target: `scim_schema:${ACME}` }),
    );
  });

  it('refuses the same URN twice (any case) with 409', async () => {
    const res = await registerSchema(app, acmeSchema(ACME.toUpperCase().replace('URN:', 'urn:')));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('schema_registered');
  });

  it('needs org:admin', async () => {
    const { token } = await createKey(app, { name: 'no admin', permissions: ['users:read'], expiration: '7d' });
    expect((await registerSchema(app, acmeSchema('urn:example:other'), token)).status).toBe(403);
    expect((await get('/api/v1/scim-schemas', token)).status).toBe(403);
  });

  it('answers 404 for a URN the organization did not register', async () => {
    const res = await get(`/api/v1/scim-schemas/${encodeURIComponent('urn:example:nothing')}`);
    expect(res.status).toBe(404);
  });

  it("keeps each organization's schemas to itself", async () => {
    const other = await createOrganization(app);
    expect((await get('/api/v1/scim-schemas', other.token)).body.items).toEqual([]);
    expect((await get(`/api/v1/scim-schemas/${encodeURIComponent(ACME)}`, other.token)).status).toBe(404);
    // The other organization may register the same URN with its own definition.
    const own = { id: ACME, attributes: [{ name: 'costCenter', type: 'integer' }] };
    expect((await registerSchema(app, own, other.token)).status).toBe(201);
  });
});

describe('refusing what keyscope cannot honour, with a precise 400', () => {
  const attr = (a: Record<string, unknown>) => ({ id: 'urn:example:refused:1.0:User', attributes: [a] });
  const cases: [string, unknown, RegExp][] = [
    ['a body that is not an object', [], /body/],
    ['an id that is not a URN', { id: 'acme', attributes: [{ name: 'a', type: 'string' }] }, /^id: /],
    [
      'a built-in schema',
      { id: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', attributes: [{ name: 'a', type: 'string' }] },
      /built into keyscope/,
    ],
    ['no attributes', { id: 'urn:example:x', attributes: [] }, /attributes: must be a non-empty list/],
    ['an unknown type', attr({ name: 'a', type: 'text' }), /\(a\)\.type: must be one of/],
    ['binary', attr({ name: 'a', type: 'binary' }), /binary is not supported/],
    ['required', attr({ name: 'a', type: 'string', required: true }), /\(a\)\.required: must be false/],
    ['uniqueness', attr({ name: 'a', type: 'string', uniqueness: 'server' }), /cannot enforce uniqueness/],
    ['readOnly', attr({ name: 'a', type: 'string', mutability: 'readOnly' }), /readOnly is not supported/],
    ['a bad name', attr({ name: '1a', type: 'string' }), /must start with a letter/],
    [
      'a name twice',
      {
        id: 'urn:example:x',
        attributes: [
          { name: 'a', type: 'string' },
          { name: 'A', type: 'string' },
        ],
      },
      /defined twice/,
    ],
    ['complex without sub-attributes', attr({ name: 'a', type: 'complex' }), /must define its sub-attributes/],
    [
      'complex inside complex',
      attr({ name: 'a', type: 'complex', subAttributes: [{ name: 'b', type: 'complex', subAttributes: [] }] }),
      /sub-attribute cannot be complex/,
    ],
    [
      'a non-boolean flag',
      attr({ name: 'a', type: 'string', multiValued: 'yes' }),
      /multiValued: must be true or false/,
    ],
    [
      'writeOnly returned',
      attr({ name: 'a', type: 'string', mutability: 'writeOnly', returned: 'default' }),
      /writeOnly attribute is never returned/,
    ],
  ];
  it.each(cases)('refuses %s', async (_what, body, message) => {
    const res = await registerSchema(app, body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body.detail).toMatch(message);
  });
});
