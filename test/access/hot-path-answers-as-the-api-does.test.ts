import express from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { accessHotPath } from '../../src/access/access-routes.js';
import { z } from 'zod';
import { createKey, startTestApp, type TestApp } from '../support/test-app.js';

const Documented = z
  .object({ permission: z.string().min(1).max(200), resource: z.string().min(1).max(500).optional() })
  .strict();
const KNOWN = new Set(['keys:read', 'keys:write', 'users:read']);

/**
 * /authorize and /me for a key this process already knows are answered before Express's routers
 * (accessHotPath). A key's first request goes the normal way (nothing known yet), its next ones the
 * hot path: both must answer exactly alike, whatever the body.
 */
describe('the hot path answers exactly as the access API does', () => {
  let app: TestApp;
  let groupId: string;

  beforeAll(async () => {
    app = await startTestApp();
    const group = await app.http
      .post('/api/v1/groups')
      .set('Authorization', `Bearer ${app.adminToken}`)
      .send({ displayName: 'Services', rules: [{ permission: 'keys:read' }, { permission: 'users:read' }] });
    groupId = group.body.id;
  });
  afterAll(() => app.close());

  /** The hot path mounted alone: a request it does not answer falls through to 599. */
  function hotPathAlone() {
    const bare = express();
    bare.use(accessHotPath(app.keyscope.access, app.keyscope.authenticator));
    bare.use((_req, res) => {
      res.status(599).send('fell through');
    });
    return request(bare);
  }

  type Sent = { method: 'get' | 'post'; path: string; body?: unknown; raw?: string; type?: string };

  async function send(token: string, sent: Sent) {
    let req = app.http[sent.method](sent.path).set('Authorization', `Bearer ${token}`);
    if (sent.raw !== undefined) req = req.set('Content-Type', sent.type ?? 'application/json').send(sent.raw);
    else if (sent.body !== undefined) req = req.send(sent.body as object);
    const res = await req;
    const { date: _date, 'x-request-id': _id, ...headers } = res.headers;
    return { status: res.status, headers, body: res.body, text: res.text };
  }

  /** A new key's first request (the normal way) and its second (the hot path), side by side. */
  async function bothWays(sent: Sent) {
    const { token } = await createKey(app, { name: 'svc', groupId });
    const first = await send(token, sent);
    // Known now: the hot path answers its next request.
    expect((await hotPathAlone().get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    const second = await send(token, sent);
    return { first, second };
  }

  it('takes the hot path only for a known, accepted key on exactly those two routes', async () => {
    const { token, id } = await createKey(app, { name: 'svc', groupId });
    const auth = `Bearer ${token}`;
    const alone = hotPathAlone();
    // Not known yet in this process: the normal way.
    expect((await alone.get('/api/v1/me').set('Authorization', auth)).status).toBe(599);
    expect((await app.http.get('/api/v1/me').set('Authorization', auth)).status).toBe(200);
    expect((await alone.get('/api/v1/me').set('Authorization', auth)).status).toBe(200);
    const allowed = await alone.post('/api/v1/authorize').set('Authorization', auth).send({ permission: 'keys:read' });
    expect([allowed.status, allowed.body]).toEqual([200, { allowed: true }]);
    expect((await alone.get('/api/v1/me?x=1').set('Authorization', auth)).status).toBe(599);
    expect((await alone.post('/api/v1/me').set('Authorization', auth)).status).toBe(599);
    expect((await alone.get('/api/v1/keys').set('Authorization', auth)).status).toBe(599);
    expect((await alone.get('/api/v1/me')).status).toBe(599);
    // Refused keys are the normal way's to answer (and count).
    await app.http.delete(`/api/v1/keys/${id}`).set('Authorization', `Bearer ${app.adminToken}`);
    expect((await alone.get('/api/v1/me').set('Authorization', auth)).status).toBe(599);
    expect((await app.http.get('/api/v1/me').set('Authorization', auth)).body.code).toBe('key_revoked');
  });

  it.each<[string, Sent, number]>([
    ['/me', { method: 'get', path: '/api/v1/me' }, 200],
    ['an allowed permission', { method: 'post', path: '/api/v1/authorize', body: { permission: 'keys:read' } }, 200],
    ['a denied permission', { method: 'post', path: '/api/v1/authorize', body: { permission: 'keys:write' } }, 200],
    [
      'a resource',
      { method: 'post', path: '/api/v1/authorize', body: { permission: 'users:read', resource: 'user:1' } },
      200,
    ],
    ['an unknown permission', { method: 'post', path: '/api/v1/authorize', body: { permission: 'kyes:read' } }, 400],
    ['an extra field', { method: 'post', path: '/api/v1/authorize', body: { permission: 'keys:read', x: 1 } }, 400],
    ['an empty permission', { method: 'post', path: '/api/v1/authorize', body: { permission: '' } }, 400],
    ['no body', { method: 'post', path: '/api/v1/authorize' }, 400],
    ['an array', { method: 'post', path: '/api/v1/authorize', body: [{ permission: 'keys:read' }] }, 400],
    ['malformed JSON', { method: 'post', path: '/api/v1/authorize', raw: '{"permission":' }, 400],
    [
      'a text body',
      { method: 'post', path: '/api/v1/authorize', raw: 'permission=keys:read', type: 'text/plain' },
      415,
    ],
    ['a NUL', { method: 'post', path: '/api/v1/authorize', raw: '{"permission":"keys\\u0000read"}' }, 400],
    ['deep JSON', { method: 'post', path: '/api/v1/authorize', raw: `${'['.repeat(70)}${']'.repeat(70)}` }, 400],
    ['__proto__', { method: 'post', path: '/api/v1/authorize', raw: '{"permission":"keys:read","__proto__":{}}' }, 400],
  ])('%s', async (_name, sent, status) => {
    const { first, second } = await bothWays(sent);
    expect(first.status).toBe(status);
    if (status === 200) expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(second).toEqual(first);
  });

  it('for any JSON body (property)', async () => {
    const { token } = await createKey(app, { name: 'svc', groupId });
    await send(token, { method: 'get', path: '/api/v1/me' });
    const value = fc.oneof(
      fc.constantFrom('keys:read', 'keys:write', 'users:read', 'nope', '', 'x'.repeat(201)),
      fc.string(),
      fc.integer(),
      fc.constant(null),
    );
    const bodies = fc.oneof(
      fc.record({ permission: value, resource: fc.option(value, { nil: undefined }) }, { requiredKeys: [] }),
      fc.dictionary(fc.constantFrom('permission', 'resource', 'extra'), value),
      fc.jsonValue(),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const raw = JSON.stringify(body) ?? 'null';
        // `token` is known (the hot path answers); a fresh key's first request goes the normal way.
        const known = await send(token, { method: 'post', path: '/api/v1/authorize', raw });
        const { token: fresh } = await createKey(app, { name: 'svc', groupId });
        const normal = await send(fresh, { method: 'post', path: '/api/v1/authorize', raw });
        expect(known).toEqual(normal);
        // The body the API documents: exactly permission (1–200 characters) and an optional resource (1–500).
        const valid = Documented.safeParse(body).success;
        expect(known.status).toBe(valid && KNOWN.has((body as { permission: string }).permission) ? 200 : 400);
      }),
      { numRuns: 40 },
    );
  });
});
