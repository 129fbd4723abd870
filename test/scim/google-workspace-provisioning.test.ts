import {
  createUser,
  expectEmptyList,
  expectScim,
  filterQuery,
  readBack,
  sendAsPlainJson,
  type Json,
} from '../support/clients.js';
import { keyAccess } from '../support/key-access.js';
import {
  ENTERPRISE,
  USER_SCHEMA,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

// Google Workspace's automated user provisioning ("Auto-provisioning" of a custom SAML app),
// replayed (docs/google-workspace.md). What public material shows Google sending (integration guides
// of SCIM services that support it, and SCIM server libraries patched for it; Google publishes no
// request log):
// - on setup, a probe `GET /Users?count=1` with the access token;
// - every request with `Content-Type: application/json` (not application/scim+json) and
//   `User-Agent: Google-Auto-Provisioning`;
// - users only: a lookup by `userName eq` (the primary e-mail), POST /Users with the attributes the
//   admin mapped, updates, then, by the deprovisioning settings, a suspension (active false) or a
//   DELETE. Groups select who is provisioned; Google pushes no groups.
// Whether updates come as PUT or PATCH is not published: both are replayed.
let app: TestApp;
let scim: ScimClient;
let access: ReturnType<typeof keyAccess>;

beforeAll(async () => {
  app = await startTestApp({ env: { KEYSCOPE_PERMISSIONS: 'reports:read' } });
  scim = await scimClient(app);
  access = keyAccess(app);
});
afterAll(() => app.close());

const GOOGLE_UA = 'Google-Auto-Provisioning';
const get = (url: string) =>
  app.http
    .get(`/scim/v2${url}`)
    .set('Authorization', `Bearer ${scim.token}`)
    .set('User-Agent', GOOGLE_UA)
    .set('Accept', 'application/json');
const send = (method: 'post' | 'put' | 'patch', url: string, body: unknown) =>
  sendAsPlainJson(app, scim.token, method, url, body).set('User-Agent', GOOGLE_UA);

/** A user as Google sends it with the default mapping: primary e-mail as userName, names, suspension as active. */
function googleUser(email: string, extra: Json = {}): Json {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    userName: email,
    name: { givenName: 'Margaret', familyName: 'Hamilton' },
    displayName: 'Margaret Hamilton',
    emails: [{ value: email, type: 'work', primary: true }],
    active: true,
    [ENTERPRISE]: { department: '/Engineering/Apollo' },
    ...extra,
  };
}

describe('Google Workspace provisions users', () => {
  it('probes with GET /Users?count=1 as application/json, and gets 200 with a SCIM list', async () => {
    const res = await get('/Users?count=1');
    expectEmptyList(res);
    expect(res.body.itemsPerPage).toBe(0);
    // Errors keep the SCIM shape for a client that asked for JSON: a wrong token is a 401 it can show.
    const denied = await app.http.get('/scim/v2/Users?count=1').set('Authorization', 'Bearer ksk_wrong');
    expectScim(denied, 401);
  });

  it('looks the user up by userName, creates it with application/json, and finds it afterwards', async () => {
    expectEmptyList(await get(`/Users?${filterQuery('userName eq "margaret@google.example"')}`));

    const res = await send('post', '/Users', googleUser('margaret@google.example'));
    expectScim(res, 201);
    const id = (res.body as Json).id as string;
    expect(res.headers.location).toMatch(new RegExp(`/scim/v2/Users/${id}$`));
    expect(await readBack(scim, `/Users/${id}`)).toMatchObject({
      userName: 'margaret@google.example',
      active: true,
      name: { givenName: 'Margaret', familyName: 'Hamilton' },
      [ENTERPRISE]: { department: '/Engineering/Apollo' },
    });

    const found = await get(`/Users?${filterQuery('userName eq "MARGARET@google.example"')}`);
    expectScim(found, 200);
    expect((found.body.Resources as Json[]).map((u) => u.id)).toEqual([id]);
  });

  it('updates a profile by PUT or by PATCH, both sent as application/json', async () => {
    const user = await createUser(scim, googleUser('profile@google.example'));

    const put = await send('put', `/Users/${user.id}`, googleUser('profile@google.example', { title: 'Director' }));
    expectScim(put, 200);
    expect((await readBack(scim, `/Users/${user.id}`)).title).toBe('Director');

    const patch = await send(
      'patch',
      `/Users/${user.id}`,
      patchOp(
        { op: 'replace', path: 'name.familyName', value: 'Hamilton-Lickly' },
        { op: 'replace', path: `${ENTERPRISE}:department`, value: '/Engineering/Skylab' },
      ),
    );
    expectScim(patch, 200);
    expect(await readBack(scim, `/Users/${user.id}`)).toMatchObject({
      title: 'Director',
      name: { givenName: 'Margaret', familyName: 'Hamilton-Lickly' },
      [ENTERPRISE]: { department: '/Engineering/Skylab' },
    });
  });

  it('suspends (active false): the personal keys stop at once, and come back when Google restores the user', async () => {
    const user = await createUser(scim, googleUser('suspended@google.example'));
    const key = await access.personalKey(user.id);
    expect(await access.allowed(key.token, 'reports:read')).toBe(false);

    const off = await send('patch', `/Users/${user.id}`, patchOp({ op: 'replace', value: { active: false } }));
    expectScim(off, 200);
    expect((await readBack(scim, `/Users/${user.id}`)).active).toBe(false);
    expect(await access.allowed(key.token, 'reports:read')).toBe('owner_inactive');

    const back = await send('put', `/Users/${user.id}`, googleUser('suspended@google.example'));
    expectScim(back, 200);
    expect(await access.keyStatus(key.id)).toEqual({ status: 'active', statusReason: null });
  });

  it('deletes (deprovisioning set to delete): 204, gone, and the personal keys stay suspended', async () => {
    const user = await createUser(scim, googleUser('deleted@google.example'));
    const key = await access.personalKey(user.id);

    const res = await app.http
      .delete(`/scim/v2/Users/${user.id}`)
      .set('Authorization', `Bearer ${scim.token}`)
      .set('User-Agent', GOOGLE_UA);
    expect(res.status).toBe(204);
    expect((await get(`/Users/${user.id}`)).status).toBe(404);
    expectEmptyList(await get(`/Users?${filterQuery('userName eq "deleted@google.example"')}`));
    expect((await access.keyStatus(key.id)).status).toBe('suspended');
  });
});
