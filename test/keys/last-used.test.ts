import { createKey, startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const lastUsed = async (id: string): Promise<string | null> =>
  (await app.http.get(`/api/v1/keys/${id}`).set('Authorization', `Bearer ${app.adminToken}`)).body.lastUsedAt as
    | string
    | null;

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  return read();
}

describe('last use of a key', () => {
  it('is recorded after the request, at most once a minute per key', async () => {
    const { token, id } = await createKey(app, { name: 'used' });
    expect(await lastUsed(id)).toBeNull();
    await app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    const first = await eventually(
      () => lastUsed(id),
      (v) => v !== null,
    );
    expect(first).not.toBeNull();

    // Used again within the minute: not written again.
    app.clock.advance(30_000);
    await app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    await new Promise((r) => setTimeout(r, 100));
    expect(await lastUsed(id)).toBe(first);

    // A minute later: written again.
    app.clock.advance(31_000);
    await app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    const second = await eventually(
      () => lastUsed(id),
      (v) => v !== first,
    );
    expect(Date.parse(second!)).toBeGreaterThan(Date.parse(first!) + 60_000);
  });
});
