import { scimClient, startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;

beforeAll(async () => {
  // PUBLIC_URL: supertest serves each request on a new port, so the issuer must not come from the request.
  app = await startTestApp({ env: { LOG_LEVEL: 'trace', PUBLIC_URL: 'https://keyscope.example.test' } });
});
afterAll(() => app.close());

describe('tokens never reach the log', () => {
  it('logs each request with its id, and no token, whatever the request did', async () => {
    const group = await app.http
      .post('/api/v1/groups')
      .set('Authorization', `Bearer ${app.adminToken}`)
      .send({ displayName: 'Introspectors', rules: [{ permission: 'keys:introspect' }] });
    const issued = await app.http
      .post('/api/v1/keys')
      .set('Authorization', `Bearer ${app.adminToken}`)
      .send({ name: 'logged?', groupId: group.body.id });
    const { token } = issued.body as { token: string };
    const scim = await scimClient(app);
    const requests = [
      app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`),
      app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}x`),
      app.http.get('/api/v1/me').set('Authorization', `Bearer ${token.slice(0, -1)}`),
      app.http.get(`/api/v1/keys?q=${encodeURIComponent(token)}`).set('Authorization', `Bearer ${app.adminToken}`),
      app.http.post('/api/v1/introspect').set('Authorization', `Bearer ${token}`).send({ token: scim.token }),
      app.http
        .post('/api/v1/introspect')
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .send(`{"token": "${scim.token}"`),
      scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${token}"`)}`),
      scim.post('/Users', { userName: token, password: token }),
      // A token sent as the request id is not taken as one (it is logged, echoed and audited).
      app.http.get('/healthz').set('X-Request-Id', token),
      app.http
        .post('/api/v1/groups')
        .set('Authorization', `Bearer ${app.adminToken}`)
        .set('X-Request-Id', app.adminToken)
        .send({ displayName: 'Request ids' }),
      app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`).set('X-Request-Id', 'trace-4bf92f3577b34da6'),
      // A short id is kept even when the credential happens to contain it.
      app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`).set('X-Request-Id', token.slice(4, 10)),
      // A token pasted where an id goes, with or without credentials, or the credential itself.
      app.http.get(`/api/v1/keys/${token}`).set('Authorization', `Bearer ${app.adminToken}`),
      app.http.get(`/api/v1/me/${token}`),
      scim.get(`/Users/${token}`),
      app.http
        .get(`/api/v1/keys/${encodeURIComponent(app.adminToken)}`)
        .set('Authorization', `Bearer ${app.adminToken}`),
    ];
    const responses = await Promise.all(requests);
    expect(responses.map((r) => r.status)).toEqual([
      200, 401, 401, 200, 200, 400, 200, 201, 200, 201, 200, 200, 404, 401, 404, 404,
    ]);
    expect(responses.slice(8, 10).map((r) => r.headers['x-request-id'])).toEqual([
      expect.not.stringContaining('ksk_'),
      expect.not.stringContaining(app.adminToken),
    ]);
    expect(responses[10]!.headers['x-request-id']).toBe('trace-4bf92f3577b34da6');
    expect(responses[11]!.headers['x-request-id']).toBe(token.slice(4, 10));
    const logs = app.logs();
    expect(logs).toContain(`"reqId":"${responses[0]!.headers['x-request-id']}"`);
    for (const secret of [token, scim.token, app.adminToken]) {
      expect(logs).not.toContain(secret);
      // Not even the secret part alone.
      expect(logs).not.toContain(secret.slice(21, 45));
    }
  });

  it('never logs a signed token (POST /api/v1/token) pasted into a path, a query or a request id', async () => {
    const exchanged = await app.http
      .post('/api/v1/token')
      .set('Authorization', `Bearer ${app.adminToken}`)
      .type('form')
      .send({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: app.adminToken,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      });
    expect(exchanged.status).toBe(200);
    const jwt = (exchanged.body as { access_token: string }).access_token;
    const responses = await Promise.all([
      app.http.get(`/api/v1/${jwt}`).set('Authorization', `Bearer ${app.adminToken}`),
      app.http.get(`/api/v1/keys/${jwt}`).set('Authorization', `Bearer ${app.adminToken}`),
      app.http.get(`/api/v1/me/${jwt}`),
      app.http.get('/api/v1/me').set('Authorization', `Bearer ${jwt}`),
      app.http.get('/api/v1/me').set('Authorization', `Bearer ${jwt}`).set('X-Request-Id', jwt),
    ]);
    expect(responses.map((r) => r.status)).toEqual([404, 404, 401, 200, 200]);
    const logs = app.logs();
    expect(logs).not.toContain(jwt);
    // Not even its signature alone.
    expect(logs).not.toContain(jwt.split('.')[2]!);
  });
});
