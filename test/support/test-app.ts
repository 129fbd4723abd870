import { Writable } from 'node:stream';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { createKeyscope, type Keyscope } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Db } from '../../src/db/db.js';
import { createLogger } from '../../src/http/logger.js';
import { openTestDatabase, type TestDatabase } from './test-db.js';

export interface TestApp {
  keyscope: Keyscope;
  db: Db;
  database: TestDatabase;
  http: TestAgent;
  /** The bootstrap admin key of organization "default". */
  adminToken: string;
  orgId: string;
  /** Everything the app logged, as text. */
  logs: () => string;
  /** Moves this app's clock (keys expire, status changes) without touching the database. */
  clock: { now: Date; advance(ms: number): void };
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse a database (a second process on the same database); the first app owns and drops it. */
  database?: TestDatabase;
  db?: Db;
  /** The admin key when the database is already bootstrapped (a second process). */
  adminToken?: string;
  /** false: no webhook delivery worker nor key expiry scan (they query the database on their own schedule). */
  background?: boolean;
}

/** A whole keyscope on a fresh copy of the migrated template database, bootstrapped, in this process. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await openTestDatabase());
  const db = options.db ?? database.db;
  const config: Config = loadConfig({
    BCRYPT_COST: '4',
    LOG_LEVEL: 'info',
    AUTH_FAILURE_LIMIT: '1000',
    SIGNIN_RATE_LIMIT: '1000',
    ...options.env,
  });
  let logText = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logText += chunk.toString();
      done();
    },
  });
  const clock = {
    now: new Date(),
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
  };
  // A real clock that tests can move forward: it keeps ticking from wherever it was moved to.
  const startedReal = Date.now();
  const startedFake = clock.now.getTime();
  let offset = 0;
  clock.advance = (ms: number) => {
    offset += ms;
  };
  const now = () => new Date(startedFake + (Date.now() - startedReal) + offset);
  Object.defineProperty(clock, 'now', { get: now });

  const keyscope = await createKeyscope({
    db,
    config,
    logger: createLogger(config.logLevel, sink),
    now,
    background: options.background,
  });
  const boot = await keyscope.orgs.bootstrap(config.bootstrapAdminKey);
  const adminToken = boot.token ?? options.adminToken ?? config.bootstrapAdminKey;
  if (!adminToken)
    throw new Error(
      'test app: no bootstrap token (database was already bootstrapped; pass adminToken from the first app)',
    );
  return {
    keyscope,
    db,
    database,
    http: request.agent(keyscope.app),
    adminToken,
    orgId: boot.organization.id,
    logs: () => logText,
    clock,
    close: async () => {
      await keyscope.stop();
      if (!options.database) await database.drop();
    },
  };
}

/** Creates a key through the admin API and returns its token and id. */
export async function createKey(
  app: TestApp,
  body: Record<string, unknown>,
  token = app.adminToken,
): Promise<{ token: string; id: string; key: Record<string, unknown> }> {
  const res = await app.http.post('/api/v1/keys').set('Authorization', `Bearer ${token}`).send(body);
  if (res.status !== 201) throw new Error(`creating key failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.token, id: res.body.key.id, key: res.body.key };
}

/** A SCIM client for tests: a key with the SCIM flag and helpers that send SCIM requests with it. */
export async function scimClient(app: TestApp) {
  const { token } = await createKey(app, {
    name: `scim ${Math.random().toString(36).slice(2, 7)}`,
    scim: true,
    expiration: 'never',
  });
  const auth = `Bearer ${token}`;
  const json = 'application/scim+json';
  return {
    token,
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

export type ScimClient = Awaited<ReturnType<typeof scimClient>>;

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export function patchOp(...operations: Record<string, unknown>[]) {
  return { schemas: [PATCH_OP], Operations: operations };
}

/** A user body as Okta sends it. */
export function oktaUser(userName: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: 'Given', familyName: 'Family' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: 'Given Family',
    active: true,
    password: 'never-stored-Secret1',
    ...extra,
  };
}
