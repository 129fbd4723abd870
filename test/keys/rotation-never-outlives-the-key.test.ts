import { bearer, uniqueName } from '../support/orgs.js';
import { GROUP_SCHEMA, createKey, oktaUser, scimClient, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Issue 9, defect 4 (DESIGN §9): a leaked 30-day key with keys:write rotated itself into a
 * never-expiring one while an admin's rotation of it was pending. Rotation never lengthens a key's
 * life unless the caller is org:admin, and a key whose revocation is scheduled is not rotated again.
 */

let app: TestApp;
let dev: string;
const admin = () => bearer(app.adminToken);
const DAY = 86_400_000;

const rotate = (id: string, token: string, body: Record<string, unknown> = {}) =>
  app.http.post(`/api/v1/keys/${id}/rotate`).set(bearer(token)).send(body);
const expiresAt = async (id: string) =>
  (await app.http.get(`/api/v1/keys/${id}`).set(admin())).body.expiresAt as string | null;

beforeAll(async () => {
  app = await startTestApp();
  const scim = await scimClient(app);
  dev = (await scim.post('/Users', oktaUser(`dev-${Math.random().toString(36).slice(2, 8)}@example.com`))).body
    .id as string;
  const devs = await scim.post('/Groups', {
    schemas: [GROUP_SCHEMA],
    displayName: uniqueName('Devs'),
    members: [{ value: dev }],
  });
  await app.http
    .put(`/api/v1/groups/${devs.body.id}/rules`)
    .set(admin())
    .send({ rules: [{ role: 'developer' }] });
});
afterAll(() => app.close());

describe('a key rotating itself', () => {
  it('gets 403 asking for never or for a date past its own expiry, and nothing changes', async () => {
    const leaked = await createKey(app, { name: 'leaked', ownerUserId: dev, expiration: '30d' });
    for (const body of [
      { expiration: 'never' },
      { expiration: '1y' },
      { expiresAt: new Date(Date.now() + 40 * DAY).toISOString() },
    ]) {
      const res = await rotate(leaked.id, leaked.token, body);
      expect({ status: res.status, code: res.body.code, token: res.body.token }).toEqual({
        status: 403,
        code: 'rotation_extends_life',
        token: undefined,
      });
    }
    expect((await app.http.get(`/api/v1/keys/${leaked.id}`).set(admin())).body).toMatchObject({
      status: 'active',
      revokedAt: null,
    });
  });

  it('keeps its current expiry by default, so a rotation never outlives the key it replaces', async () => {
    const key = await createKey(app, { name: 'halfway', ownerUserId: dev, expiration: '30d' });
    app.clock.advance(10 * DAY);
    const res = await rotate(key.id, key.token);
    expect(res.status).toBe(201);
    expect(res.body.key.expiresAt).toBe(key.key.expiresAt);
  });

  it('may choose an earlier expiry', async () => {
    const key = await createKey(app, { name: 'shorter', ownerUserId: dev, expiration: '30d' });
    const res = await rotate(key.id, key.token, { expiration: '7d' });
    expect(res.status).toBe(201);
    expect(Date.parse(res.body.key.expiresAt)).toBeLessThan(Date.parse(key.key.expiresAt as string));
  });

  it('cannot revive an expired key of its owner', async () => {
    const other = await createKey(app, { name: 'the other', ownerUserId: dev, expiration: '90d' });
    const short = await createKey(app, { name: 'short', ownerUserId: dev, expiration: '7d' });
    app.clock.advance(8 * DAY);
    const res = await rotate(short.id, other.token);
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 409, code: 'key_inactive' });
  });
});

describe('a key whose revocation is scheduled', () => {
  it('is not rotated again, by itself or by an admin, while the grace period runs', async () => {
    const leaked = await createKey(app, { name: 'being rotated', ownerUserId: dev, expiration: '30d' });
    const byAdmin = await rotate(leaked.id, app.adminToken, { gracePeriodSeconds: 3600 });
    expect(byAdmin.status).toBe(201);
    for (const token of [leaked.token, app.adminToken]) {
      const res = await rotate(leaked.id, token);
      expect({ status: res.status, code: res.body.code, token: res.body.token }).toEqual({
        status: 409,
        code: 'rotation_pending',
        token: undefined,
      });
    }
    // The rotation the admin started is the only successor.
    const successors = await app.http.get(`/api/v1/keys?owner=all&ownerUserId=${dev}&q=being rotated`).set(admin());
    expect(
      (successors.body.items as { rotatedFrom: string | null }[]).filter((k) => k.rotatedFrom === leaked.id),
    ).toHaveLength(1);
  });
});

describe('an org:admin', () => {
  it('still rotates a key into a fresh lifetime', async () => {
    const key = await createKey(app, { name: 'admin-rotated', ownerUserId: dev, expiration: '30d' });
    app.clock.advance(10 * DAY);
    const res = await rotate(key.id, app.adminToken);
    expect(res.status).toBe(201);
    expect(Date.parse(res.body.key.expiresAt)).toBeGreaterThan(Date.parse(key.key.expiresAt as string));
    expect(await expiresAt(res.body.key.id)).toBe(res.body.key.expiresAt);
  });
});
