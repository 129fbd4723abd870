import { createKey, scimClient, startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;

beforeAll(async () => {
  // A bootstrap key set by value: tokens not in ksk_ form are then checked against its hash.
  app = await startTestApp({
    env: {
      AUTH_FAILURE_LIMIT: '5',
      TRUST_PROXY: '1',
      BOOTSTRAP_ADMIN_KEY: 'bootstrap-admin-key-for-the-limit-tests-0123456789',
    },
  });
});
afterAll(() => app.close());

const me = (token: string, ip = '10.0.0.1') =>
  app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`).set('X-Forwarded-For', ip);

describe('authentication (DESIGN §5)', () => {
  it('pays bcrypt once per token: later requests, even concurrent first ones, hit the cache', async () => {
    const { token } = await createKey(app, { name: 'cached' });
    const before = app.keyscope.authenticator.bcryptComparisons;
    const first = await Promise.all(
      Array.from({ length: 10 }, () => app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`)),
    );
    expect(first.every((r) => r.status === 200)).toBe(true);
    for (let i = 0; i < 20; i++) await app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect(app.keyscope.authenticator.bcryptComparisons - before).toBe(1);
  });

  it('re-resolves permissions after a change without paying bcrypt again', async () => {
    const group = await app.http
      .post('/api/v1/groups')
      .set('Authorization', `Bearer ${app.adminToken}`)
      .send({ displayName: 'Cache test', rules: [{ permission: 'keys:read' }] });
    const { token } = await createKey(app, { name: 'rule cache', groupId: group.body.id });
    await app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    const before = app.keyscope.authenticator.bcryptComparisons;
    await app.http
      .put(`/api/v1/groups/${group.body.id}/rules`)
      .set('Authorization', `Bearer ${app.adminToken}`)
      .send({ rules: [{ role: 'viewer' }] });
    const res = await app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect(res.body.permissions).toEqual([{ permission: '*:read', resources: null }]);
    expect(app.keyscope.authenticator.bcryptComparisons).toBe(before);
  });

  it('answers 401 invalid_token, with WWW-Authenticate, for missing, malformed and unknown keys without bcrypt', async () => {
    const before = app.keyscope.authenticator.bcryptComparisons;
    const missing = await app.http.get('/api/v1/me').set('X-Forwarded-For', '10.0.1.0');
    expect(missing.status).toBe(401);
    expect(missing.body.code).toBe('invalid_token');
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(missing.headers['content-type']).toMatch(/problem\+json/);
    expect((await me('not-a-key', '10.0.1.1')).body.code).toBe('invalid_token');
    expect((await me('ksk_0000000000000000_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '10.0.1.2')).status).toBe(401); // bad checksum
    const { token } = await createKey(app, { name: 'real' });
    const unknownId = token.replace(/^ksk_[0-9A-Za-z]{16}/, 'ksk_ZZZZZZZZZZZZZZZZ');
    expect((await me(unknownId, '10.0.1.3')).status).toBe(401);
    expect(app.keyscope.authenticator.bcryptComparisons).toBe(before);
  });

  it('limits failed attempts per client address before any bcrypt work: 429 with Retry-After', async () => {
    const ip = '203.0.113.9';
    for (let i = 0; i < 5; i++) expect((await me(`junk-${i}`, ip)).status).toBe(401);
    const limited = await me('junk-again', ip);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body.code).toBe('too_many_attempts');
    // Another address is not affected.
    expect((await me('junk', '203.0.113.10')).status).toBe(401);
  });

  it('counts attempts still running against the limit: a parallel burst from one address pays at most the limit in bcrypt', async () => {
    const before = app.keyscope.authenticator.bcryptComparisons;
    // Not in ksk_ form and long enough: each is checked against the bootstrap key's hash.
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        me(`parallel-burst-token-of-forty-chars-${String(i).padStart(3, '0')}`, '203.0.113.50'),
      ),
    );
    expect(app.keyscope.authenticator.bcryptComparisons - before).toBeLessThanOrEqual(5);
    expect(burst.filter((r) => r.status === 401).length).toBeLessThanOrEqual(5);
    expect(burst.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(25);
    expect(burst.every((r) => r.status === 401 || (r.status === 429 && Number(r.headers['retry-after']) >= 1))).toBe(
      true,
    );
  });

  it('limits wrong secrets for one key id, whatever the address, so a known id cannot be brute-forced', async () => {
    const { token } = await createKey(app, { name: 'target' });
    const secretStart = token.indexOf('_', 4) + 1;
    const { parseToken } = await import('../../src/principals/token.js');
    const { crc32 } = await import('node:zlib');
    // Well-formed tokens (valid checksum) for the real key id with wrong secrets.
    const forge = (i: number) => {
      const body = `${token.slice(0, secretStart)}${'x'.repeat(23)}${i}`;
      const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
      let n = crc32(body);
      let sum = '';
      while (n > 0) {
        sum = alphabet[n % 62] + sum;
        n = Math.floor(n / 62);
      }
      return body + sum.padStart(6, '0');
    };
    expect(parseToken(forge(1))).toBeDefined();
    for (let i = 0; i < 5; i++) expect((await me(forge(i), `198.51.100.${i}`)).status).toBe(401);
    expect((await me(forge(9), '198.51.100.77')).status).toBe(429);
    // A parallel burst from many addresses is held to the same limit for this key id.
    app.clock.advance(61_000);
    const before = app.keyscope.authenticator.bcryptComparisons;
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => me(forge(100 + i), `198.51.101.${i}`)));
    expect(app.keyscope.authenticator.bcryptComparisons - before).toBeLessThanOrEqual(5);
    expect(burst.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(15);
    // Until the window passes even the real secret is not checked for this key id...
    expect((await me(token, '198.51.100.78')).status).toBe(429);
    // ...and afterwards it works again.
    app.clock.advance(61_000);
    expect((await me(token, '198.51.100.79')).status).toBe(200);
  });
});

describe('who may call SCIM', () => {
  it('answers 403 with a SCIM error to a valid key without the SCIM flag', async () => {
    const res = await app.http
      .get('/scim/v2/Users')
      .set('Authorization', `Bearer ${app.adminToken}`)
      .set('X-Forwarded-For', '10.9.8.1');
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '403' });
  });

  it('answers 401 with a SCIM error to missing or bad credentials', async () => {
    for (const [i, auth] of [undefined, 'Bearer non-token', 'Basic dXNlcjpwYXNz'].entries()) {
      const req = app.http.get('/scim/v2/Users').set('X-Forwarded-For', `10.9.9.${i}`);
      if (auth) req.set('Authorization', auth);
      const res = await req;
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
      expect(res.body.detail).toEqual(expect.any(String));
    }
  });

  it('lets a SCIM key call SCIM but nothing in the admin API it has no permission for', async () => {
    const scim = await scimClient(app);
    expect((await scim.get('/Users')).status).toBe(200);
    const keys = await app.http.get('/api/v1/keys').set('Authorization', `Bearer ${scim.token}`);
    expect(keys.status).toBe(403);
    const me = await app.http.get('/api/v1/me').set('Authorization', `Bearer ${scim.token}`);
    expect(me.body.permissions).toEqual([]);
  });
});
