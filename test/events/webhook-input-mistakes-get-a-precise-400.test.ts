import { bearer } from '../support/orgs.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Bad input to /api/v1/webhooks, tried as an attacker would: always a precise 4xx, never a 500. */

let app: TestApp;
let hookId: string;
beforeAll(async () => {
  app = await startTestApp({ background: false, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  const res = await app.http
    .post('/api/v1/webhooks')
    .set(bearer(app.adminToken))
    .send({ url: 'http://127.0.0.1:9/hooks', events: ['key.created'] });
  expect(res.status).toBe(201);
  hookId = res.body.webhook.id;
});
afterAll(() => app.close());

const raw = (method: 'post' | 'patch', path: string, text: string) =>
  app.http[method](`/api/v1${path}`).set(bearer(app.adminToken)).set('Content-Type', 'application/json').send(text);

const good = { url: 'http://127.0.0.1:9/hooks', events: ['key.created'] };

test.each([
  ['not JSON', '{"url": '],
  ['an array', JSON.stringify([good])],
  ['null', 'null'],
  ['a NUL in the description', JSON.stringify({ ...good, description: 'a\u0000b' })],
  ['a NUL in the URL', JSON.stringify({ ...good, url: 'http://127.0.0.1:9/ho\u0000oks' })],
  ['a NUL in an event name', JSON.stringify({ ...good, events: ['key.created\u0000'] })],
  ['a __proto__ key', `{"url":"http://127.0.0.1:9/hooks","events":["key.created"],"__proto__":{"enabled":false}}`],
  ['a constructor key', JSON.stringify({ ...good, constructor: { prototype: { admin: true } } })],
  ['a description of 1001 characters', JSON.stringify({ ...good, description: 'd'.repeat(1001) })],
  ['a URL of 2001 characters', JSON.stringify({ ...good, url: `http://127.0.0.1:9/${'u'.repeat(2000)}` })],
  ['a URL of 100 000 characters', JSON.stringify({ ...good, url: `http://127.0.0.1:9/${'u'.repeat(100_000)}` })],
  ['no events', JSON.stringify({ ...good, events: [] })],
  ['events as a string', JSON.stringify({ ...good, events: 'key.created' })],
  ['an unknown event', JSON.stringify({ ...good, events: ['key.created', 'key.exploded'] })],
  ['a wildcard event', JSON.stringify({ ...good, events: ['*'] })],
  ['an event of another case', JSON.stringify({ ...good, events: ['KEY.CREATED'] })],
  ['too many events', JSON.stringify({ ...good, events: Array(20).fill('key.created') })],
  ['a numeric URL', JSON.stringify({ ...good, url: 12 })],
  ['enabled as a string', JSON.stringify({ ...good, enabled: 'true' })],
  ['a secret of its own', JSON.stringify({ ...good, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' })],
  ['an empty URL', JSON.stringify({ ...good, url: '' })],
  ['a URL of spaces', JSON.stringify({ ...good, url: '   ' })],
])('POST with %s is a 400', async (_name, text) => {
  const res = await raw('post', '/webhooks', text);
  expect(res.status).toBe(400);
  expect(res.body.detail).toEqual(expect.any(String));
});

test('the same event twice is kept once', async () => {
  const res = await raw('post', '/webhooks', JSON.stringify({ ...good, events: ['key.created', 'key.created'] }));
  expect(res.status).toBe(201);
  expect(res.body.webhook.events).toEqual(['key.created']);
});

test.each([
  ['id', { id: '00000000-0000-4000-8000-000000000000' }],
  ['secret', { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }],
  ['createdBy', { createdBy: 'someone' }],
  ['createdAt', { createdAt: '2020-01-01T00:00:00Z' }],
  ['updatedAt', { updatedAt: '2020-01-01T00:00:00Z' }],
  ['orgId', { orgId: '00000000-0000-4000-8000-000000000000' }],
  ['events: []', { events: [] }],
  ['url: null', { url: null }],
  ['description: null', { description: null }],
  ['enabled: null', { enabled: null }],
])('PATCH of %s is a 400 and changes nothing', async (_name, body) => {
  const before = (await app.http.get(`/api/v1/webhooks/${hookId}`).set(bearer(app.adminToken))).body;
  const res = await raw('patch', `/webhooks/${hookId}`, JSON.stringify(body));
  expect(res.status).toBe(400);
  expect((await app.http.get(`/api/v1/webhooks/${hookId}`).set(bearer(app.adminToken))).body).toEqual(before);
});

test.each([
  ['get', '/webhooks/not-a-uuid', 404],
  ['patch', '/webhooks/not-a-uuid', 404],
  ['delete', '/webhooks/not-a-uuid', 404],
  ['get', '/webhooks/00000000-0000-0000-0000-000000000000', 404],
  ['get', '/webhooks/%00', 404],
  ['get', '/webhooks/not-a-uuid/deliveries', 404],
  ['post', '/webhooks/{hook}/deliveries/abc/redeliver', 404],
  ['post', '/webhooks/{hook}/deliveries/-1/redeliver', 404],
  ['post', '/webhooks/{hook}/deliveries/1e3/redeliver', 404],
  ['post', '/webhooks/{hook}/deliveries/9999999999999999999/redeliver', 404],
  ['post', '/webhooks/{hook}/deliveries/999999999999999999/redeliver', 404],
  ['get', '/webhooks/{hook}/deliveries?limit=0', 400],
  ['get', '/webhooks/{hook}/deliveries?limit=abc', 400],
  ['get', '/webhooks/{hook}/deliveries?limit=100000', 400],
  ['get', '/webhooks/{hook}/deliveries?status=exploded', 400],
  ['get', '/webhooks/{hook}/deliveries?status=pending&status=failed', 400],
  ['get', '/webhooks/{hook}/deliveries?cursor=-1', 400],
  ['get', '/webhooks/{hook}/deliveries?cursor=99999999999999999999', 400],
])('%s %s answers %i', async (method, path, status) => {
  const url = `/api/v1${path.replace('{hook}', hookId)}`;
  const req = app.http[method as 'get' | 'post' | 'patch' | 'delete'](url).set(bearer(app.adminToken));
  const res = method === 'post' || method === 'patch' ? await req.send({}) : await req;
  expect([path, res.status]).toEqual([path, status]);
});
