import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import express, { type Request } from 'express';
import { KeyscopeClient, KeyscopeError, keyscopeAuth, type KeyscopeAuthHandler } from '../../src/client/index.js';
import { freePort } from '../support/server-process.js';
import { createKey, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * keyscopeAuth, the Express middleware services put in front of their routes, against a real
 * keyscope listening on a real port, and a tiny service using it: allowed, denied (403 with the
 * reason), unknown and revoked keys (401), a revocation seen within 1 second despite the decision
 * cache, keyscope down or too slow (503: fail closed), and a cache that never holds a token.
 */

let app: TestApp;
let keyscopeServer: Server;
let keyscopeUrl: string;
let service: Server;
let serviceUrl: string;
let hanging: TcpServer;
const hangingSockets: Socket[] = [];
let notKeyscope: Server;
let readerToken: string;
let readerId: string;
const reported: { route: string; code: string }[] = [];

/** A client that counts the /authorize calls it makes. */
class CountingClient extends KeyscopeClient {
  calls = 0;
  override authorize(...args: Parameters<KeyscopeClient['authorize']>) {
    this.calls++;
    return super.authorize(...args);
  }
}

const handlers: Record<string, KeyscopeAuthHandler> = {};
let counting: CountingClient;

async function listen(server: Server | TcpServer): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  app = await startTestApp({ env: { KEYSCOPE_PERMISSIONS: 'projects:read,projects:write' } });
  keyscopeServer = app.keyscope.app.listen(0, '127.0.0.1');
  await new Promise((r) => keyscopeServer.once('listening', r));
  keyscopeUrl = `http://127.0.0.1:${(keyscopeServer.address() as AddressInfo).port}`;

  const group = await app.http
    .post('/api/v1/groups')
    .set('Authorization', `Bearer ${app.adminToken}`)
    .send({
      displayName: 'Project readers',
      rules: [{ permission: 'projects:read' }, { permission: 'projects:write', resources: ['alpha'] }],
    });
  expect(group.status).toBe(201);
  const reader = await createKey(app, { name: 'reader', groupId: group.body.id });
  readerToken = reader.token;
  readerId = reader.id;

  // Something that accepts connections and never answers, and something that is not keyscope.
  hanging = createTcpServer((socket) => hangingSockets.push(socket));
  const hangingUrl = await listen(hanging);
  notKeyscope = createHttpServer((_req, res) => {
    res.writeHead(502, { 'Content-Type': 'text/html' }).end('<html><body>Bad Gateway</body></html>');
  });
  const notKeyscopeUrl = await listen(notKeyscope);
  const downUrl = `http://127.0.0.1:${await freePort()}`;

  counting = new CountingClient({ url: keyscopeUrl });
  const report = (route: string) => (error: KeyscopeError) => reported.push({ route, code: error.code });
  handlers.read = keyscopeAuth({ url: keyscopeUrl, permission: 'projects:read', onError: report('read') });
  handlers.write = keyscopeAuth({
    url: keyscopeUrl,
    permission: 'projects:write',
    resource: (req: Request) => String(req.params.id),
    onError: report('write'),
  });
  handlers.uncached = keyscopeAuth({
    url: keyscopeUrl,
    permission: 'projects:read',
    cacheMs: 0,
    onError: report('uncached'),
  });
  handlers.greedy = keyscopeAuth({
    url: keyscopeUrl,
    permission: 'projects:read',
    cacheMs: 60_000,
    onError: report('greedy'),
  });
  handlers.counted = keyscopeAuth({
    client: counting,
    permission: 'projects:read',
    cacheMs: 1000, // the longest allowed: room for a loaded machine to deliver the concurrent requests
    onError: report('counted'),
  });
  handlers.typo = keyscopeAuth({ url: keyscopeUrl, permission: 'projcts:read', onError: report('typo') });
  handlers.down = keyscopeAuth({ url: downUrl, permission: 'projects:read', onError: report('down') });
  handlers.slow = keyscopeAuth({
    url: hangingUrl,
    permission: 'projects:read',
    timeoutMs: 200,
    onError: report('slow'),
  });
  handlers.proxyError = keyscopeAuth({
    url: notKeyscopeUrl,
    permission: 'projects:read',
    onError: report('proxyError'),
  });

  const svc = express();
  for (const name of ['read', 'uncached', 'greedy', 'counted', 'typo', 'down', 'slow', 'proxyError']) {
    svc.get(`/${name}`, handlers[name]!, (req, res) => {
      res.json({ served: true, keyscope: req.keyscope });
    });
  }
  svc.put('/projects/:id', handlers.write!, (req, res) => {
    res.json({ served: true, keyscope: req.keyscope });
  });
  service = svc.listen(0, '127.0.0.1');
  await new Promise((r) => service.once('listening', r));
  serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of hangingSockets) socket.destroy();
  await new Promise((r) => hanging.close(r));
  await new Promise((r) => notKeyscope.close(r));
  await new Promise((r) => service.close(r));
  await new Promise((r) => keyscopeServer.close(r));
  await app.close();
});

async function call(path: string, token?: string, method = 'GET') {
  const started = Date.now();
  const res = await fetch(`${serviceUrl}${path}`, {
    method,
    headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
  });
  const text = await res.text();
  return {
    status: res.status,
    body: JSON.parse(text) as Record<string, unknown>,
    headers: res.headers,
    started,
    ms: Date.now() - started,
  };
}

async function newReaderKey(name: string): Promise<{ token: string; id: string }> {
  const group = (await app.http.get('/api/v1/groups').set('Authorization', `Bearer ${app.adminToken}`)).body as {
    items: { id: string; displayName: string }[];
  };
  const groupId = group.items.find((g) => g.displayName === 'Project readers')!.id;
  const { token, id } = await createKey(app, { name, groupId });
  return { token, id };
}

async function revoke(id: string): Promise<void> {
  const res = await app.http.delete(`/api/v1/keys/${id}`).set('Authorization', `Bearer ${app.adminToken}`);
  expect(res.status).toBe(200);
}

describe('keyscopeAuth in front of a service, against a real keyscope', () => {
  it('lets an allowed request through with the decision on req.keyscope, then from the cache', async () => {
    // keyscope pays bcrypt once for a new key: done here, so the calls below take milliseconds.
    await new KeyscopeClient({ url: keyscopeUrl }).authorize(readerToken, 'projects:read');
    const first = await call('/read', readerToken);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      served: true,
      keyscope: { allowed: true, permission: 'projects:read', cached: false },
    });
    // Reused for 500 ms from when keyscope was asked; a loaded machine may need another try.
    const next: unknown[] = [];
    for (let i = 0; i < 5 && !next.some((k) => (k as { cached: boolean }).cached); i++)
      next.push((await call('/read', readerToken)).body.keyscope);
    expect(next).toContainEqual({ allowed: true, permission: 'projects:read', cached: true });
  });

  it('answers 403 with keyscope’s reason when the key lacks the permission, on a resource read from the request', async () => {
    const alpha = await call('/projects/alpha', readerToken, 'PUT');
    expect(alpha.status).toBe(200);
    expect(alpha.body.keyscope).toEqual({
      allowed: true,
      permission: 'projects:write',
      resource: 'alpha',
      cached: false,
    });
    const beta = await call('/projects/beta', readerToken, 'PUT');
    expect(beta.status).toBe(403);
    expect(beta.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(beta.body).toMatchObject({
      status: 403,
      code: 'forbidden',
      detail: 'projects:write is not granted for resource beta',
    });
  });

  it('answers 401 without asking keyscope when there is no bearer token', async () => {
    // /down's keyscope does not exist: a 401 (not a 503) shows keyscope was never asked.
    for (const token of [undefined, '']) {
      const res = await call('/down', token);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'invalid_token' });
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    const basic = await fetch(`${serviceUrl}/down`, { headers: { Authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.status).toBe(401);
  });

  it('answers 401 with keyscope’s reason for an unknown key and for a revoked one', async () => {
    const unknown = await call('/read', 'ksk_0000000000000000_notarealsecretatallxxxxxx000000');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ status: 401, code: 'invalid_token' });
    expect(unknown.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="invalid_token"',
    );
    const { token, id } = await newReaderKey('soon revoked');
    expect((await call('/uncached', token)).status).toBe(200);
    await revoke(id);
    const revoked = await call('/uncached', token);
    expect(revoked.status).toBe(401);
    expect(revoked.body).toMatchObject({ code: 'key_revoked' });
  });

  it('sees a revocation within 1 second despite the cache, even asked for a 60-second cache', async () => {
    expect(handlers.greedy!.cache.ttlMs).toBe(1000);
    const { token, id } = await newReaderKey('revoked while cached');
    await new KeyscopeClient({ url: keyscopeUrl }).authorize(token, 'projects:read'); // bcrypt, once
    expect((await call('/greedy', token)).body.keyscope).toMatchObject({ cached: false });
    await revoke(id);
    const revokedAt = Date.now();
    const polls: Awaited<ReturnType<typeof call>>[] = [];
    while (Date.now() - revokedAt < 1500) {
      polls.push(await call('/greedy', token));
      await new Promise((r) => setTimeout(r, 20));
    }
    // The cache did its job: the decision made before the revocation was reused for a while...
    expect(polls.some((p) => p.status === 200 && (p.body.keyscope as { cached: boolean }).cached)).toBe(true);
    // ...but no request that started 1 second or more after the revocation got through.
    const late = polls.filter((p) => p.started >= revokedAt + 1000);
    expect(late.length).toBeGreaterThan(0);
    expect(late.map((p) => p.status)).toEqual(late.map(() => 401));
    expect(polls.at(-1)!.body).toMatchObject({ code: 'key_revoked' });
  });

  it('sees a revocation at once without the cache (cacheMs: 0)', async () => {
    const { token, id } = await newReaderKey('uncached revocation');
    expect((await call('/uncached', token)).status).toBe(200);
    expect((await call('/uncached', token)).body.keyscope).toMatchObject({ cached: false });
    await revoke(id);
    expect((await call('/uncached', token)).status).toBe(401);
  });

  it('fails closed with 503 when keyscope cannot be reached', async () => {
    reported.length = 0;
    const res = await call('/down', readerToken);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 503, code: 'keyscope_unavailable' });
    expect(res.headers.get('retry-after')).toBe('1');
    expect(reported).toEqual([{ route: 'down', code: 'unreachable' }]);
  });

  it('fails closed with 503 when keyscope does not answer within timeoutMs', async () => {
    reported.length = 0;
    const res = await call('/slow', readerToken);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'keyscope_unavailable' });
    expect(res.ms).toBeGreaterThanOrEqual(190);
    expect(res.ms).toBeLessThan(1500);
    expect(reported).toEqual([{ route: 'slow', code: 'timeout' }]);
  });

  it('fails closed with 503 when what answers is not keyscope (a proxy’s error page)', async () => {
    reported.length = 0;
    const res = await call('/proxyError', readerToken);
    expect(res.status).toBe(503);
    expect(reported).toEqual([{ route: 'proxyError', code: 'bad_response' }]);
  });

  it('answers 500 and reports it when keyscope does not know the permission (a typo in the service)', async () => {
    reported.length = 0;
    const res = await call('/typo', readerToken);
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: 'authorization_misconfigured' });
    expect(reported).toEqual([{ route: 'typo', code: 'unknown_permission' }]);
  });

  it('asks keyscope once for concurrent requests of one key, and again once the decision is old', async () => {
    const { token } = await newReaderKey('concurrent');
    await new KeyscopeClient({ url: keyscopeUrl }).authorize(token, 'projects:read'); // bcrypt, once
    const before = counting.calls;
    const answers = await Promise.all(Array.from({ length: 10 }, () => call('/counted', token)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(counting.calls - before).toBe(1);
    await new Promise((r) => setTimeout(r, handlers.counted!.cache.ttlMs + 50));
    expect((await call('/counted', token)).body.keyscope).toMatchObject({ cached: false });
    expect(counting.calls - before).toBe(2);
  });

  it('never keeps a token in its cache: not as a key, not as a value', async () => {
    const { token } = await newReaderKey('never stored');
    const secret = token.split('_')[2]!;
    for (const name of ['read', 'greedy', 'counted']) expect((await call(`/${name}`, token)).status).toBe(200);
    expect((await call('/projects/beta', token, 'PUT')).status).toBe(403);
    for (const name of ['read', 'greedy', 'counted', 'write']) {
      const cache = handlers[name]!.cache;
      expect(cache.size).toBeGreaterThan(0);
      const everything = inspect(cache, { depth: 10, showHidden: true, maxArrayLength: null, maxStringLength: null });
      for (const needle of [token, secret, readerToken, readerToken.split('_')[2]!]) {
        expect(everything).not.toContain(needle);
      }
      for (const key of cache.keys()) expect(key).toMatch(/^[A-Za-z0-9_-]{43} \[/);
    }
  });
});

describe('KeyscopeClient against a real keyscope', () => {
  it('authorize: allowed, denied with the reason, and errors for an unknown permission or a bad token', async () => {
    const client = new KeyscopeClient({ url: keyscopeUrl });
    expect(await client.authorize(readerToken, 'projects:read')).toEqual({ allowed: true });
    expect(await client.authorize(readerToken, 'projects:write', 'alpha')).toEqual({ allowed: true });
    expect(await client.authorize(readerToken, 'keys:read')).toEqual({
      allowed: false,
      reason: 'keys:read is not granted to this key',
    });
    const unknown = await client.authorize(readerToken, 'projcts:read').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(KeyscopeError);
    expect(unknown).toMatchObject({
      status: 400,
      code: 'unknown_permission',
      unavailable: false,
      fieldErrors: [{ field: 'permission' }],
    });
    const bad = await client.authorize('not-a-key', 'projects:read').catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 401, code: 'invalid_token', unavailable: false });
  });

  it('me: who a token is; introspect: with the client’s own key (keys:introspect)', async () => {
    const admin = new KeyscopeClient({ url: `${keyscopeUrl}/`, key: app.adminToken, timeoutMs: 5000 });
    const me = await admin.me(readerToken);
    expect(me).toMatchObject({ organization: { name: 'default' }, key: { id: readerId, kind: 'service' } });
    expect((await admin.me()).can['org:admin']).toBe(true);
    const active = await admin.introspect(readerToken);
    expect(active).toMatchObject({ active: true, client_id: readerId, scope: 'projects:read projects:write' });
    expect(await admin.introspect('ksk_0000000000000000_notarealsecretatallxxxxxx000000')).toEqual({ active: false });
    const withoutKey = new KeyscopeClient({ url: keyscopeUrl });
    await expect(withoutKey.introspect(readerToken)).rejects.toMatchObject({ code: 'no_key', status: 0 });
    const reader = new KeyscopeClient({ url: keyscopeUrl, key: readerToken });
    await expect(reader.introspect(app.adminToken)).rejects.toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('refuses bad options at construction', () => {
    expect(() => new KeyscopeClient({ url: 'keyscope:3000' })).toThrow(/http or https/);
    expect(() => new KeyscopeClient({ url: 'not a url' })).toThrow(/absolute http/);
    expect(() => new KeyscopeClient({ url: keyscopeUrl, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => keyscopeAuth({ url: keyscopeUrl, permission: '' })).toThrow(/permission/);
    expect(() => keyscopeAuth({ url: keyscopeUrl, permission: 'projects:read', cacheMs: -1 })).toThrow(/cacheMs/);
    expect(() => keyscopeAuth({ permission: 'projects:read' })).toThrow(/url/);
  });
});
