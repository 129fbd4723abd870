import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { TestApp } from './test-app.js';

/**
 * An identity provider for signal tests: a real key pair, its public JWKS served over real HTTP on
 * 127.0.0.1, and tokens signed with jose (RFC 8417 SETs, Okta-style Universal Logout JWTs).
 */
export interface TestIdp {
  issuer: string;
  jwksUri: string;
  publicJwk: JWK;
  /** Requests the JWKS endpoint has answered. */
  fetches: () => number;
  sign(claims: JWTPayload, options?: { typ?: string; alg?: string; key?: CryptoKey; kid?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIdp(issuer = 'https://idp.example.test'): Promise<TestIdp> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/keys') {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [publicJwk] }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    issuer,
    jwksUri: `http://127.0.0.1:${port}/keys`,
    publicJwk,
    fetches: () => fetches,
    async sign(claims, options = {}) {
      return new SignJWT(claims)
        .setProtectedHeader({
          alg: options.alg ?? 'RS256',
          kid: options.kid ?? 'k1',
          ...(options.typ === '' ? {} : { typ: options.typ ?? 'secevent+jwt' }),
        })
        .sign(options.key ?? privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A JWT with `alg: none` (RFC 7519 §6): header and claims, and an empty signature. */
export function unsignedJwt(claims: JWTPayload): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

export const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
export const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';

export async function putSignals(app: TestApp, body: Record<string, unknown>, token = app.adminToken) {
  return app.http.put('/api/v1/organizations/current/signals').set('Authorization', `Bearer ${token}`).send(body);
}

let counter = 0;
export function jti(): string {
  counter++;
  return `jti-${Date.now()}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}
