import { createKey, scimClient, startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
const admin = () => ({ Authorization: `Bearer ${app.adminToken}` });

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('API key lifecycle', () => {
  it('returns the token once, with Cache-Control: no-store, and stores only a hash', async () => {
    const res = await app.http.post('/api/v1/keys').set(admin()).send({ name: 'ci pipeline', description: 'deploys' });
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.token).toMatch(/^ksk_/);
    expect(res.body.key).toMatchObject({
      name: 'ci pipeline',
      description: 'deploys',
      kind: 'service',
      status: 'active',
      scim: false,
    });
    const stored = await app.db.query<{ secret_hash: string; fragment: string }>(
      'SELECT secret_hash, fragment FROM api_keys WHERE id = $1',
      [res.body.key.id],
    );
    expect(stored.rows[0]!.secret_hash).toMatch(/^\$2[aby]\$/);
    expect(JSON.stringify(stored.rows)).not.toContain(res.body.token.slice(22, 40));

    const read = await app.http.get(`/api/v1/keys/${res.body.key.id}`).set(admin());
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).not.toContain(res.body.token);
    expect(read.body.fragment).toBe(res.body.key.fragment);
  });

  it('defaults to 30 days and accepts every preset and an explicit future date', async () => {
    const now = app.clock.now.getTime();
    const days = async (expiration: string) => {
      const { key } = await createKey(app, { name: `exp ${expiration}`, expiration });
      return key.expiresAt === null ? null : Math.round((Date.parse(key.expiresAt as string) - now) / 86400000);
    };
    expect(await days('7d')).toBe(7);
    expect(await days('60d')).toBe(60);
    expect(await days('180d')).toBe(180);
    expect(await days('1y')).toBe(365);
    expect(await days('never')).toBeNull();
    const { key } = await createKey(app, { name: 'default expiry' });
    expect(Math.round((Date.parse(key.expiresAt as string) - now) / 86400000)).toBe(30);
    const at = new Date(now + 3 * 3600 * 1000).toISOString();
    expect((await createKey(app, { name: 'explicit', expiresAt: at })).key.expiresAt).toBe(at);
  });

  it.each([
    [{ name: 'x', expiration: '5d' }, 'expiration'],
    [{ name: 'x', expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
    [{ name: 'x', expiresAt: 'tomorrow' }, 'expiresAt'],
    [{ name: 'x', expiresAt: '2027-02-30T00:00:00Z' }, 'expiresAt'],
    [{ name: 'x', expiresAt: '9999-12-31T23:59:59-23:59' }, 'expiresAt'],
    [{ name: 'x', expiresAt: '2099-01-01T00:00:00+16:00' }, 'expiresAt'],
    [{ name: 'x', expiration: '7d', expiresAt: '2099-01-01T00:00:00Z' }, 'expiration'],
    [{ name: '' }, 'name'],
    [{ name: 'x', groupId: 'not-a-uuid' }, 'groupId'],
    [{ name: 'x', groupId: '00000000-0000-4000-8000-000000000000' }, 'groupId'],
    [{ name: 'x', permissions: ['nonsense:perm'] }, 'permissions'],
    [{ name: 'x', unknownField: 1 }, ''],
  ])('refuses %j with a 400 naming the field to fix', async (body, field) => {
    const res = await app.http.post('/api/v1/keys').set(admin()).send(body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, title: 'Bad Request' });
    if (field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('lists keys with status, search and cursor paging, never with a token', async () => {
    for (let i = 0; i < 5; i++) await createKey(app, { name: `paging-${i}`, description: 'findme' });
    const first = await app.http.get('/api/v1/keys?q=findme&limit=2').set(admin());
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const seen = new Set<string>(first.body.items.map((k: { id: string }) => k.id));
    let cursor: string | null = first.body.nextCursor;
    while (cursor) {
      const page = await app.http.get(`/api/v1/keys?q=findme&limit=2&cursor=${cursor}`).set(admin());
      for (const k of page.body.items) {
        expect(seen.has(k.id)).toBe(false);
        seen.add(k.id);
      }
      cursor = page.body.nextCursor;
    }
    expect(seen.size).toBe(5);
    const all = await app.http.get('/api/v1/keys?limit=100').set(admin());
    expect(JSON.stringify(all.body)).not.toMatch(/ksk_[0-9A-Za-z]{16}_/);
  });

  it('answers 400 to a cursor it did not issue, whatever it holds', async () => {
    const forged = [
      ['+275760-09-13T00:00:00.000Z', 'x'],
      ['2026-01-01T00:00:00Z', 7],
      ['2026-02-30T00:00:00Z', '00000000-0000-4000-8000-000000000000'],
      'junk',
      42,
    ];
    for (const position of forged) {
      const cursor = Buffer.from(JSON.stringify(position)).toString('base64url');
      const res = await app.http.get(`/api/v1/keys?cursor=${cursor}`).set(admin());
      expect({ position, status: res.status }).toEqual({ position, status: 400 });
    }
  });

  it('refuses the revoked key on the very next request', async () => {
    const { token, id } = await createKey(app, { name: 'to revoke', permissions: ['keys:read'] });
    expect((await app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    const revoked = await app.http.delete(`/api/v1/keys/${id}`).set(admin());
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    const after = await app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('key_revoked');
  });

  it('refuses a revoked SCIM key on the very next SCIM request', async () => {
    const scim = await scimClient(app);
    expect((await scim.get('/Users')).status).toBe(200);
    const id = (await app.http.get('/api/v1/keys?q=scim').set(admin())).body.items.find(
      (k: { scim: boolean; status: string }) => k.scim && k.status === 'active',
    ).id;
    await app.http.delete(`/api/v1/keys/${id}`).set(admin());
    const after = await scim.get('/Users');
    expect(after.status).toBe(401);
    expect(after.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expect(after.body.detail).toMatch(/^key_revoked/);
  });

  it('edits name and description, and refuses edits of a revoked key', async () => {
    const { id } = await createKey(app, { name: 'old name' });
    const edited = await app.http
      .patch(`/api/v1/keys/${id}`)
      .set(admin())
      .send({ name: 'new name', description: 'now documented' });
    expect(edited.body).toMatchObject({ name: 'new name', description: 'now documented' });
    await app.http.delete(`/api/v1/keys/${id}`).set(admin());
    expect((await app.http.patch(`/api/v1/keys/${id}`).set(admin()).send({ name: 'again' })).status).toBe(409);
  });

  it('rotates: a new token with the same settings, the old one revoked at once or after a grace period', async () => {
    const { token, id } = await createKey(app, {
      name: 'rotating',
      description: 'd',
      permissions: ['keys:read'],
      expiration: '90d',
    });
    const rotated = await app.http.post(`/api/v1/keys/${id}/rotate`).set(admin()).send({ gracePeriodSeconds: 3600 });
    expect(rotated.status).toBe(201);
    expect(rotated.headers['cache-control']).toBe('no-store');
    expect(rotated.body.key).toMatchObject({
      name: 'rotating',
      description: 'd',
      permissions: ['keys:read'],
      rotatedFrom: id,
      status: 'active',
    });
    expect(
      Math.round((Date.parse(rotated.body.key.expiresAt) - Date.parse(rotated.body.key.createdAt)) / 86400000),
    ).toBe(90);
    // During the grace period both work; the old one shows it is ending.
    expect((await app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    expect((await app.http.get(`/api/v1/keys/${id}`).set(admin())).body.status).toBe('expiring_soon');
    expect((await app.http.get('/api/v1/me').set('Authorization', `Bearer ${rotated.body.token}`)).status).toBe(200);
    app.clock.advance(3601 * 1000);
    const old = await app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect(old.status).toBe(401);
    expect(old.body.code).toBe('key_revoked');
    // A rotation without grace revokes at once.
    const again = await app.http.post(`/api/v1/keys/${rotated.body.key.id}/rotate`).set(admin()).send({});
    expect((await app.http.get('/api/v1/me').set('Authorization', `Bearer ${rotated.body.token}`)).status).toBe(401);
    expect((await app.http.get('/api/v1/me').set('Authorization', `Bearer ${again.body.token}`)).status).toBe(200);
  });

  it('shows expiring_soon within 7 days and refuses an expired key with key_expired', async () => {
    const { token, id } = await createKey(app, { name: 'short', expiration: '7d', permissions: ['keys:read'] });
    expect((await app.http.get(`/api/v1/keys/${id}`).set(admin())).body.status).toBe('expiring_soon');
    const { id: longId } = await createKey(app, { name: 'long', expiration: '30d' });
    expect((await app.http.get(`/api/v1/keys/${longId}`).set(admin())).body.status).toBe('active');
    app.clock.advance(8 * 86400 * 1000);
    expect((await app.http.get(`/api/v1/keys/${id}`).set(admin())).body.status).toBe('expired');
    const res = await app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('key_expired');
    const expired = await app.http.get('/api/v1/keys?status=expired&limit=100').set(admin());
    expect(expired.body.items.map((k: { id: string }) => k.id)).toContain(id);
    expect(expired.body.items.every((k: { status: string }) => k.status === 'expired')).toBe(true);
  });

  it('revokes every key of a group in one call', async () => {
    const group = await app.http
      .post('/api/v1/groups')
      .set(admin())
      .send({ displayName: 'Deployers', rules: [{ permission: 'keys:read' }] });
    const a = await createKey(app, { name: 'deploy a', groupId: group.body.id });
    const b = await createKey(app, { name: 'deploy b', groupId: group.body.id });
    const res = await app.http.post('/api/v1/keys/revoke').set(admin()).send({ groupId: group.body.id });
    expect(res.status).toBe(200);
    expect(res.body.revoked.sort()).toEqual([a.id, b.id].sort());
    for (const k of [a, b])
      expect((await app.http.get('/api/v1/me').set('Authorization', `Bearer ${k.token}`)).status).toBe(401);
  });
});
