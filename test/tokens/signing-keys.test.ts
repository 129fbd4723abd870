import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { bearer } from '../support/orgs.js';
import { createKey, startTestApp, type TestApp } from '../support/test-app.js';

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';
const run = promisify(execFile);

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

let app: TestApp;
let server: Server;
let issuer: string;
let key: { token: string; id: string };

beforeAll(async () => {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  app = await startTestApp({ env: { PUBLIC_URL: issuer } });
  server = app.keyscope.app.listen(port, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  key = await createKey(app, { name: 'verifier demo' });
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await app.close();
});

async function exchange(extra: Record<string, string> = {}): Promise<string> {
  const res = await app.http
    .post('/api/v1/token')
    .set(bearer(key.token))
    .type('form')
    .send({ grant_type: GRANT, subject_token: key.token, subject_token_type: ACCESS, ...extra });
  expect(res.status).toBe(200);
  return res.body.access_token as string;
}

const jwks = async (): Promise<JSONWebKeySet> => (await app.http.get('/.well-known/jwks.json')).body;

/**
 * The verification code of docs/token-exchange.md, taken from the page itself and run in a separate
 * Node process, as a service would run it.
 */
async function verifyWithDocumentedCode(token: string, audience: string): Promise<Record<string, unknown>> {
  const page = readFileSync('docs/token-exchange.md', 'utf8');
  const code = /<!-- verify-example -->\s*```js\n([\s\S]*?)```/.exec(page)?.[1];
  if (!code) throw new Error('docs/token-exchange.md has no verify-example block');
  const file = path.resolve(`test/tokens/.verify-example-${process.pid}.mjs`);
  writeFileSync(
    file,
    `${code}\nconsole.log(JSON.stringify(await verifyKeyscopeToken(process.env.TOKEN, process.env.AUDIENCE)));\n`,
  );
  try {
    const { stdout } = await run(process.execPath, [file], {
      env: { ...process.env, KEYSCOPE_URL: issuer, TOKEN: token, AUDIENCE: audience, NODE_OPTIONS: '' },
    });
    return JSON.parse(stdout) as Record<string, unknown>;
  } finally {
    rmSync(file, { force: true });
  }
}

describe('publishing and rotating signing keys', () => {
  it('serves RFC 8414 metadata and the JWKS without authentication', async () => {
    const meta = await app.http.get('/.well-known/oauth-authorization-server');
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({
      issuer,
      token_endpoint: `${issuer}/api/v1/token`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      introspection_endpoint: `${issuer}/api/v1/introspect`,
      grant_types_supported: [GRANT],
      token_endpoint_auth_methods_supported: expect.any(Array),
    });
    await exchange();
    const set = await app.http.get('/.well-known/jwks.json');
    expect(set.status).toBe(200);
    expect(set.headers['content-type']).toMatch(/^application\/jwk-set\+json/);
    expect(set.body.keys).toEqual([
      {
        kty: 'EC',
        crv: 'P-256',
        x: expect.any(String),
        y: expect.any(String),
        kid: expect.any(String),
        alg: 'ES256',
        use: 'sig',
      },
    ]);
    expect(JSON.stringify(set.body)).not.toMatch(/"d"/);
  });

  it('tokens verify offline before and after a rotation; the old key stays published until its tokens expire', async () => {
    const before = await exchange({ audience: 'https://reports.example.com' });
    const ownBefore = await exchangeFor(issuer);
    const local = createLocalJWKSet(await jwks());
    await jwtVerify(before, local, { issuer, audience: 'https://reports.example.com', algorithms: ['ES256'] });
    expect(await verifyWithDocumentedCode(before, 'https://reports.example.com')).toMatchObject({
      sub: `key:${key.id}`,
    });

    const denied = await app.http
      .post('/api/v1/signing-keys/rotate')
      .set(bearer((await createKey(app, { name: 'no platform' }, app.adminToken)).token));
    expect(denied.status).toBe(403);
    const rotated = await app.http.post('/api/v1/signing-keys/rotate').set(bearer(app.adminToken));
    expect(rotated.status).toBe(200);
    expect(rotated.body.retired).toBe(decodeProtectedHeader(before).kid);

    const after = await exchange({ audience: 'https://reports.example.com' });
    expect(decodeProtectedHeader(after).kid).toBe(rotated.body.kid);
    const both = await jwks();
    expect(both.keys.map((k) => k.kid).sort()).toEqual([rotated.body.kid, rotated.body.retired].sort());
    const refreshed = createLocalJWKSet(both);
    for (const token of [before, after]) {
      await jwtVerify(token, refreshed, { issuer, audience: 'https://reports.example.com', algorithms: ['ES256'] });
      expect(await verifyWithDocumentedCode(token, 'https://reports.example.com')).toMatchObject({ key_id: key.id });
    }
    // keyscope itself still accepts a token signed before the rotation (one made for it: `before` is another service's).
    expect((await app.http.get('/api/v1/me').set(bearer(before))).status).toBe(401);
    expect((await app.http.get('/api/v1/me').set(bearer(ownBefore))).status).toBe(200);

    app.clock.advance(16 * 60_000);
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([rotated.body.kid]);
  }, 60_000);

  it('a rotation on one process is picked up by another at once', async () => {
    const db = await app.database.connectAgain();
    const two = await startTestApp({
      database: app.database,
      db,
      adminToken: app.adminToken,
      env: { PUBLIC_URL: issuer },
    });
    // The first process's clock was moved 16 minutes on above; this one's must agree with it.
    two.clock.advance(16 * 60_000);
    try {
      const first = (await two.http.get('/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
      const rotated = await app.http.post('/api/v1/signing-keys/rotate').set(bearer(app.adminToken));
      const started = Date.now();
      let seen: string[] = first;
      while (!seen.includes(rotated.body.kid) && Date.now() - started < 10_000) {
        await new Promise((r) => setTimeout(r, 20));
        seen = (await two.http.get('/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
      }
      expect(seen).toContain(rotated.body.kid);
      expect(Date.now() - started).toBeLessThan(1000);
      // A token signed by one process is accepted by the other.
      const token = await exchange();
      expect((await two.http.get('/api/v1/me').set(bearer(token))).status).toBe(200);
    } finally {
      await two.close();
    }
  });
});

/** A token for keyscope itself (its issuer as audience). */
async function exchangeFor(audience: string): Promise<string> {
  return exchange({ audience });
}

describe('a missed notification', () => {
  it('is made up for by reading the keys again within seconds', async () => {
    const db = await app.database.connectAgain();
    const deaf = await startTestApp({
      database: app.database,
      db,
      adminToken: app.adminToken,
      env: { PUBLIC_URL: issuer },
    });
    deaf.clock.advance(16 * 60_000);
    try {
      await deaf.http.get('/.well-known/jwks.json');
      // This process hears nothing from now on.
      await deaf.keyscope.invalidation.stop();
      const rotated = await app.http.post('/api/v1/signing-keys/rotate').set(bearer(app.adminToken));
      const kids = async () =>
        (await deaf.http.get('/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
      expect(await kids()).not.toContain(rotated.body.kid);
      deaf.clock.advance(6_000);
      expect(await kids()).toContain(rotated.body.kid);
    } finally {
      await deaf.close();
    }
  });
});

describe('SIGNING_KEY_SECRET', () => {
  it('seals the private key at rest, and a process without the secret cannot sign with it', async () => {
    const sealedApp = await startTestApp({ env: { SIGNING_KEY_SECRET: 's'.repeat(40), PUBLIC_URL: 'https://k.test' } });
    try {
      const own = await createKey(sealedApp, { name: 'sealed' });
      const res = await sealedApp.http
        .post('/api/v1/token')
        .set(bearer(own.token))
        .send({ grant_type: GRANT, subject_token: own.token, subject_token_type: ACCESS });
      expect(res.status).toBe(200);
      const { rows } = await sealedApp.db.query<{ private_jwk: string }>('SELECT private_jwk FROM signing_keys');
      expect(rows[0]!.private_jwk).toMatch(/^v1\./);
      expect(rows[0]!.private_jwk).not.toMatch(/"d"/);

      const db = await sealedApp.database.connectAgain();
      const without = await startTestApp({
        database: sealedApp.database,
        db,
        adminToken: sealedApp.adminToken,
        env: { PUBLIC_URL: 'https://k.test' },
      });
      try {
        const refused = await without.http
          .post('/api/v1/token')
          .set(bearer(own.token))
          .send({ grant_type: GRANT, subject_token: own.token, subject_token_type: ACCESS });
        expect(refused.status).toBe(503);
        // Verification needs only the public key.
        expect((await without.http.get('/api/v1/me').set(bearer(res.body.access_token))).status).toBe(200);
      } finally {
        await without.close();
      }
    } finally {
      await sealedApp.close();
    }
  });
});

describe('without PUBLIC_URL', () => {
  it('the issuer is the base URL the request came to, and keyscope accepts its tokens there', async () => {
    const plain = await startTestApp();
    const listening = plain.keyscope.app.listen(0, '127.0.0.1');
    await new Promise((r) => listening.once('listening', r));
    const origin = `http://127.0.0.1:${(listening.address() as { port: number }).port}`;
    try {
      const own = await createKey(plain, { name: 'no public url' });
      const res = await fetch(`${origin}/api/v1/token`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${own.token}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: GRANT, subject_token: own.token, subject_token_type: ACCESS }),
      });
      const { access_token: jwt } = (await res.json()) as { access_token: string };
      const meta = (await (await fetch(`${origin}/.well-known/oauth-authorization-server`)).json()) as {
        issuer: string;
      };
      expect(meta.issuer).toBe(origin);
      const { payload } = await jwtVerify(
        jwt,
        createLocalJWKSet((await (await fetch(`${origin}/.well-known/jwks.json`)).json()) as JSONWebKeySet),
        {
          issuer: origin,
          audience: origin,
        },
      );
      expect(payload.sub).toBe(`key:${own.id}`);
      expect((await fetch(`${origin}/api/v1/me`, { headers: { Authorization: `Bearer ${jwt}` } })).status).toBe(200);
    } finally {
      await new Promise((r) => listening.close(r));
      await plain.close();
    }
  });
});
