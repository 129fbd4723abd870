import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { keyscopeAuth } from '../../src/client/index.js';
import { createKey, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * keyscope limits failed authentications per client address (AUTH_FAILURE_LIMIT). Behind a
 * service every caller has the service's address, so a few callers' junk tokens would get every
 * caller's new token refused. keyscopeAuth sends the caller's address as X-Forwarded-For, which
 * keyscope reads when its TRUST_PROXY trusts the service: then each caller is counted alone.
 */
let app: TestApp;
let keyscopeServer: Server;
let service: Server;
let serviceUrl: string;
const tokens: string[] = [];

beforeAll(async () => {
  app = await startTestApp({ env: { TRUST_PROXY: 'loopback', AUTH_FAILURE_LIMIT: '3' } });
  keyscopeServer = app.keyscope.app.listen(0, '127.0.0.1');
  await new Promise((r) => keyscopeServer.once('listening', r));
  const keyscopeUrl = `http://127.0.0.1:${(keyscopeServer.address() as AddressInfo).port}`;
  const group = await app.http
    .post('/api/v1/groups')
    .set('Authorization', `Bearer ${app.adminToken}`)
    .send({ displayName: 'Readers', rules: [{ permission: 'keys:read' }] });
  for (let i = 0; i < 3; i++)
    tokens.push((await createKey(app, { name: `caller ${i}`, groupId: group.body.id })).token);

  const svc = express();
  svc.set('trust proxy', 'loopback'); // the test plays the service's load balancer
  const onError = () => {};
  svc.get('/forwarding', keyscopeAuth({ url: keyscopeUrl, permission: 'keys:read', cacheMs: 0, onError }), (_q, r) => {
    r.json({ ok: true });
  });
  svc.get(
    '/not-forwarding',
    keyscopeAuth({ url: keyscopeUrl, permission: 'keys:read', cacheMs: 0, forwardClientAddress: false, onError }),
    (_q, r) => {
      r.json({ ok: true });
    },
  );
  service = svc.listen(0, '127.0.0.1');
  await new Promise((r) => service.once('listening', r));
  serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => service.close(r));
  await new Promise((r) => keyscopeServer.close(r));
  await app.close();
});

async function status(path: string, token: string, caller: string): Promise<number> {
  const res = await fetch(`${serviceUrl}${path}`, {
    headers: { Authorization: `Bearer ${token}`, 'X-Forwarded-For': caller },
  });
  await res.arrayBuffer();
  return res.status;
}

describe('keyscopeAuth and keyscope’s per-address limit on failed authentications', () => {
  it('counts each caller alone: one caller’s junk tokens do not lock out another caller’s new key', async () => {
    const attacker = '198.51.100.1';
    for (let i = 0; i < 3; i++) expect(await status('/forwarding', `junk-${i}`, attacker)).toBe(401);
    expect(await status('/forwarding', 'junk-3', attacker)).toBe(429);
    expect(await status('/forwarding', tokens[0]!, attacker)).toBe(429);
    expect(await status('/forwarding', tokens[1]!, '198.51.100.2')).toBe(200);
  });

  it('without forwarding, the service is one client: junk from some callers refuses others’ new keys', async () => {
    for (let i = 0; i < 3; i++) expect(await status('/not-forwarding', `junk-x${i}`, `203.0.113.${i}`)).toBe(401);
    expect(await status('/not-forwarding', tokens[2]!, '203.0.113.50')).toBe(429);
  });
});
