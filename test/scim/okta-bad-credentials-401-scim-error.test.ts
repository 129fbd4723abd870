import { issueToken } from '../../src/principals/token.js';
import { expectScim, expectScimError } from '../support/clients.js';
import { createKey, oktaUser, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Okta's test plans send `Authorization: non-token` and require 401 with the Error schema,
// "status": "401" and a detail (RFC 7644 §3.12, §2: authentication failures are 401). The reason
// code rides in the detail (DESIGN §7), and the challenge in WWW-Authenticate (RFC 6750 §3).
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

const get = (path: string, authorization?: string) => {
  const req = app.http.get(`/scim/v2${path}`).set('Accept', 'application/scim+json');
  return authorization === undefined ? req : req.set('Authorization', authorization);
};

describe('Okta calls with bad credentials', () => {
  it('answers "Authorization: non-token" with 401 and a SCIM error body', async () => {
    const res = await get('/Users?filter=userName%20eq%20%22x%22&startIndex=1&count=100', 'non-token');
    expectScimError(res, 401);
    expect(res.body.detail).toMatch(/invalid_token/);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
  });

  it.each([
    ['no Authorization header', undefined],
    ['an empty bearer token', 'Bearer '],
    ['a junk bearer token', 'Bearer 1a2b3c4d5e6f'],
    ['Basic credentials', `Basic ${Buffer.from('okta:secret').toString('base64')}`],
  ])('answers %s with 401 and a SCIM error body', async (_name, authorization) => {
    const res = await get('/Users', authorization);
    expectScimError(res, 401);
    expect(res.body.detail).toMatch(/invalid_token/);
  });

  it('answers a well-formed token with the wrong secret for a real key id with 401', async () => {
    const { id } = await createKey(app, { name: 'okta wrong secret', scim: true });
    const forged = issueToken(id).token;
    const res = await get('/Groups', `Bearer ${forged}`);
    expectScimError(res, 401);
    expect(res.body.detail).toMatch(/invalid_token/);
  });

  it('answers a revoked SCIM key with 401 key_revoked on every SCIM endpoint', async () => {
    const { token, id } = await createKey(app, { name: 'okta revoked', scim: true });
    expectScim(await get('/Users', `Bearer ${token}`), 200);
    const revoked = await app.http.delete(`/api/v1/keys/${id}`).set('Authorization', `Bearer ${app.adminToken}`);
    expect(revoked.status).toBe(200);

    for (const path of ['/Users', '/Groups', '/ServiceProviderConfig']) {
      const res = await get(path, `Bearer ${token}`);
      expectScimError(res, 401);
      expect(res.body.detail).toMatch(/key_revoked/);
    }
    const post = await app.http
      .post('/scim/v2/Users')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/scim+json')
      .send(JSON.stringify(oktaUser('after.revoke@example.com')));
    expectScimError(post, 401);
  });

  it('creates nothing when the credentials are bad', async () => {
    const res = await app.http
      .post('/scim/v2/Users')
      .set('Authorization', 'non-token')
      .set('Content-Type', 'application/scim+json')
      .send(JSON.stringify(oktaUser('not.created@example.com')));
    expectScimError(res, 401);
    const list = await scim.get('/Users?filter=userName%20eq%20%22not.created@example.com%22');
    expect(list.body.totalResults).toBe(0);
  });
});
