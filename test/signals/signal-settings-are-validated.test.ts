import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import { putSignals, startTestIdp, type TestIdp } from '../support/signals.js';
import { createKey, oktaUser, scimClient, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * GET/PUT /api/v1/organizations/current/signals: org:admin only; public keys only; https (http on
 * loopback); a JWKS URL is read before it is saved; a Universal Logout issuer serves one organization.
 */
let app: TestApp;
let idp: TestIdp;
let leaky: Server;
let leakyUrl: string;

beforeAll(async () => {
  app = await startTestApp();
  idp = await startTestIdp('https://settings.idp.test');
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  leaky = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [privateJwk] }));
  });
  await new Promise<void>((resolve) => leaky.listen(0, '127.0.0.1', resolve));
  leakyUrl = `http://127.0.0.1:${(leaky.address() as AddressInfo).port}/keys`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => leaky.close(() => resolve()));
  await idp.close();
  await app.close();
});

const get = (token = app.adminToken) =>
  app.http.get('/api/v1/organizations/current/signals').set('Authorization', `Bearer ${token}`);

describe('signal settings', () => {
  it('start empty, and are saved, read back and audited', async () => {
    expect((await get()).body).toEqual({ transmitters: [], universalLogout: null, onSignal: 'suspend_keys' });
    const body = {
      transmitters: [{ issuer: idp.issuer, jwksUri: idp.jwksUri }],
      universalLogout: { issuer: 'https://acme.okta.test', jwks: { keys: [idp.publicJwk] } },
      onSignal: 'end_sessions',
    };
    const res = await putSignals(app, body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(body);
    expect((await get()).body).toEqual(body);
    const audit = await app.http
      .get('/api/v1/audit?action=signals.update')
      .set('Authorization', `Bearer ${app.adminToken}`);
    expect(audit.body.items[0].details).toEqual({
      transmitters: [idp.issuer],
      universalLogout: 'https://acme.okta.test',
      onSignal: 'end_sessions',
    });
  });

  it('are org:admin only', async () => {
    const scim = await scimClient(app);
    const userId = (await scim.post('/Users', oktaUser('nadia@example.com'))).body.id as string;
    const { token } = await createKey(app, { name: 'nadia', kind: 'personal', ownerUserId: userId });
    expect((await get(token)).status).toBe(403);
    expect((await putSignals(app, {}, token)).status).toBe(403);
  });

  it.each([
    [
      'private key material inline',
      { transmitters: [{ issuer: 'a', jwks: { keys: [{ kty: 'EC', d: 'x', x: 'y' }] } }] },
      'transmitters.0.jwks.keys.0',
    ],
    [
      'a symmetric key',
      { transmitters: [{ issuer: 'a', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }] },
      'transmitters.0.jwks.keys.0.kty',
    ],
    [
      'both jwksUri and jwks',
      { universalLogout: { issuer: 'a', jwksUri: 'https://x.test/keys', jwks: { keys: [{ kty: 'RSA' }] } } },
      'universalLogout',
    ],
    ['neither', { universalLogout: { issuer: 'a' } }, 'universalLogout'],
    [
      'http off loopback',
      { transmitters: [{ issuer: 'a', jwksUri: 'http://idp.example.com/keys' }] },
      'transmitters.0.jwksUri',
    ],
    [
      'an issuer twice',
      {
        transmitters: [
          { issuer: 'a', jwks: { keys: [{ kty: 'RSA' }] } },
          { issuer: 'a', jwks: { keys: [{ kty: 'RSA' }] } },
        ],
      },
      'transmitters.1.issuer',
    ],
    ['an unknown onSignal', { onSignal: 'explode' }, 'onSignal'],
    ['an unknown member', { transmitter: [] }, 'body'],
  ])('refuse %s with 400 naming the field', async (_what, body, field) => {
    const res = await putSignals(app, body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('refuse a JWKS URL that cannot be read, or that serves private keys', async () => {
    const unreachable = await putSignals(app, { transmitters: [{ issuer: 'a', jwksUri: 'http://127.0.0.1:1/keys' }] });
    expect(unreachable.status).toBe(400);
    expect(unreachable.body.detail).toContain('transmitters.0.jwksUri');
    const leaking = await putSignals(app, { universalLogout: { issuer: 'a', jwksUri: leakyUrl } });
    expect(leaking.status).toBe(400);
    expect(leaking.body.detail).toContain('private key material');
  });

  it('give a Universal Logout issuer to one organization only', async () => {
    const created = await app.http
      .post('/api/v1/organizations')
      .set('Authorization', `Bearer ${app.adminToken}`)
      .send({ name: 'second' });
    expect(created.status).toBe(201);
    const body = { universalLogout: { issuer: 'https://shared.okta.test', jwks: { keys: [idp.publicJwk] } } };
    expect((await putSignals(app, body)).status).toBe(200);
    const other = await putSignals(app, body, created.body.token);
    expect(other.status).toBe(409);
    // Saving again in the organization that has it is fine.
    expect((await putSignals(app, body)).status).toBe(200);
  });
});
