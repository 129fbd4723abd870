import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/db.js';
import { insertOrganization } from '../../src/orgs/orgs-store.js';
import { OrgPolicy } from '../../src/orgs/orgs.js';
import {
  endSession,
  findSessionBySecretHash,
  findSsoSettings,
  insertSession,
  insertSignInAttempt,
  takeSignInAttempt,
  upsertSsoSettings,
} from '../../src/sessions/sessions-store.js';
import { findUsersForSignIn, insertUser } from '../../src/users/users-store.js';
import { openTestDatabase, type TestDatabase } from '../support/test-db.js';

let database: TestDatabase;
let db: Db;
let a: string;
let b: string;

beforeAll(async () => {
  database = await openTestDatabase();
  db = database.db;
  a = (await insertOrganization(db, { id: randomUUID(), name: 'org-a', policy: OrgPolicy.parse({}) })).id;
  b = (await insertOrganization(db, { id: randomUUID(), name: 'org-b', policy: OrgPolicy.parse({}) })).id;
});
afterAll(() => database.drop());

describe('sessions-store', () => {
  it('sign-in settings belong to one organization; the secret is kept when not given', async () => {
    const at = new Date();
    await upsertSsoSettings(
      db,
      {
        org_id: a,
        issuer: 'https://idp.example',
        client_id: 'c',
        client_secret: 's1',
        claim: 'email',
        attribute: 'emails',
      },
      at,
    );
    await upsertSsoSettings(
      db,
      {
        org_id: a,
        issuer: 'https://idp.example',
        client_id: 'c2',
        client_secret: null,
        claim: 'email',
        attribute: 'emails',
      },
      at,
    );
    expect(await findSsoSettings(db, a)).toEqual(expect.objectContaining({ client_id: 'c2', client_secret: 's1' }));
    // A different organization sees nothing.
    expect(await findSsoSettings(db, b)).toBeUndefined();
  });

  it('a sign-in attempt is taken once, and not after it expires', async () => {
    const now = new Date();
    const row = { org_id: a, state: 's', nonce: 'n', code_verifier: 'v', return_to: '/ui/' };
    await insertSignInAttempt(db, 'h1', { ...row, expires_at: new Date(now.getTime() + 60_000) }, now);
    await insertSignInAttempt(db, 'h2', { ...row, expires_at: new Date(now.getTime() - 1) }, now);
    expect(await takeSignInAttempt(db, 'h1', now)).toEqual(expect.objectContaining({ state: 's', org_id: a }));
    expect(await takeSignInAttempt(db, 'h1', now)).toBeUndefined();
    expect(await takeSignInAttempt(db, 'h2', now)).toBeUndefined();
  });

  it('a session is found by its hash and ended once', async () => {
    const now = new Date();
    const user = randomUUID();
    await insertUser(
      db,
      a,
      user,
      { userName: 'ada', externalId: null, active: true, displayName: null, attributes: {} },
      now,
    );
    const id = randomUUID();
    await insertSession(db, {
      id,
      secretHash: 'hash-1',
      orgId: a,
      userId: user,
      createdAt: now,
      expiresAt: new Date(now.getTime() + 60_000),
    });
    expect(await findSessionBySecretHash(db, 'hash-1')).toEqual(
      expect.objectContaining({ id, org_id: a, ended_at: null }),
    );
    expect(await endSession(db, id, now, 'signout')).toBe(true);
    expect(await endSession(db, id, now, 'signout')).toBe(false);
    expect(await findSessionBySecretHash(db, 'nope')).toBeUndefined();
    // Two days later, a new sign-in clears sessions that ended their lifetime over a day ago.
    const later = new Date(now.getTime() + 2 * 86_400_000);
    await insertSession(db, {
      id: randomUUID(),
      secretHash: 'hash-2',
      orgId: a,
      userId: user,
      createdAt: later,
      expiresAt: new Date(later.getTime() + 60_000),
    });
    expect(await findSessionBySecretHash(db, 'hash-1')).toBeUndefined();
    expect(await findSessionBySecretHash(db, 'hash-2')).toBeDefined();
  });

  it('the sign-in lookup matches within one organization only, ignoring case, by userName, externalId or e-mail', async () => {
    const now = new Date();
    await insertUser(
      db,
      b,
      randomUUID(),
      {
        userName: 'Grace@Example.com',
        externalId: 'G-1',
        active: true,
        displayName: null,
        attributes: { emails: [{ value: 'grace.hopper@example.com', primary: true }] },
      },
      now,
    );
    expect(await findUsersForSignIn(db, b, 'userName', 'grace@example.COM')).toHaveLength(1);
    expect(await findUsersForSignIn(db, b, 'externalId', 'g-1')).toHaveLength(1);
    expect(await findUsersForSignIn(db, b, 'emails', 'GRACE.HOPPER@example.com')).toHaveLength(1);
    // A different organization sees nothing.
    expect(await findUsersForSignIn(db, a, 'userName', 'grace@example.com')).toEqual([]);
    expect(await findUsersForSignIn(db, a, 'emails', 'grace.hopper@example.com')).toEqual([]);
  });
});
