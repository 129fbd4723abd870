import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/db.js';
import { insertOrganization } from '../../src/orgs/orgs-store.js';
import { OrgPolicy, type Organization } from '../../src/orgs/orgs.js';
import type { TestApp } from './test-app.js';

/** Authorization header for a token. */
export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A unique organization name for one test run (organization names are unique across the server). */
export const uniqueName = (prefix: string) => `${prefix} ${randomUUID().slice(0, 8)}`;

/** Two organizations inserted straight through the store, for store tests. */
export async function twoOrganizations(db: Db): Promise<{ a: Organization; b: Organization }> {
  const a = await insertOrganization(db, { id: randomUUID(), name: uniqueName('Org A'), policy: OrgPolicy.parse({}) });
  const b = await insertOrganization(db, { id: randomUUID(), name: uniqueName('Org B'), policy: OrgPolicy.parse({}) });
  return { a, b };
}

export interface CreatedOrganization {
  id: string;
  name: string;
  /** The first admin key of the new organization. */
  token: string;
  keyId: string;
  key: Record<string, unknown>;
}

/** POST /api/v1/organizations with a key holding orgs:create (the bootstrap key by default). */
export async function createOrganization(
  app: TestApp,
  name = uniqueName('Org'),
  token = app.adminToken,
): Promise<CreatedOrganization> {
  const res = await app.http.post('/api/v1/organizations').set(bearer(token)).send({ name });
  if (res.status !== 201) throw new Error(`creating organization failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.organization.id,
    name: res.body.organization.name,
    token: res.body.token,
    keyId: res.body.key.id,
    key: res.body.key,
  };
}

/** A SCIM client like test-app's scimClient, but for the organization of `adminToken`. */
export async function scimClientFor(app: TestApp, adminToken: string) {
  const res = await app.http
    .post('/api/v1/keys')
    .set(bearer(adminToken))
    .send({ name: `scim ${randomUUID().slice(0, 6)}`, scim: true, expiration: 'never' });
  if (res.status !== 201) throw new Error(`creating SCIM key failed: ${res.status} ${JSON.stringify(res.body)}`);
  const token: string = res.body.token;
  const keyId: string = res.body.key.id;
  const auth = `Bearer ${token}`;
  const json = 'application/scim+json';
  return {
    token,
    keyId,
    get: (url: string) => app.http.get(`/scim/v2${url}`).set('Authorization', auth),
    post: (url: string, body: unknown) =>
      app.http.post(`/scim/v2${url}`).set('Authorization', auth).set('Content-Type', json).send(JSON.stringify(body)),
    put: (url: string, body: unknown) =>
      app.http.put(`/scim/v2${url}`).set('Authorization', auth).set('Content-Type', json).send(JSON.stringify(body)),
    patch: (url: string, body: unknown) =>
      app.http.patch(`/scim/v2${url}`).set('Authorization', auth).set('Content-Type', json).send(JSON.stringify(body)),
    delete: (url: string) => app.http.delete(`/scim/v2${url}`).set('Authorization', auth),
  };
}

export type OrgScimClient = Awaited<ReturnType<typeof scimClientFor>>;
