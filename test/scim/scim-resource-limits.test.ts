import {
  createGroup,
  createUser,
  expectScim,
  expectScimError,
  oktaGroup,
  readBack,
  unique,
} from '../support/clients.js';
import {
  GROUP_SCHEMA,
  oktaUser,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

// What one resource may hold (README "Limits"): names and ids are indexed, so a very long one used to
// reach PostgreSQL's index-row limit and answer 500; many values made every PATCH re-read slowly.
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

const emails = (n: number, prefix = 'e') =>
  Array.from({ length: n }, (_, i) => ({ value: `${prefix}${i}@example.com`, type: 'other' }));
// Random characters compress badly, as PostgreSQL's index-row limit needs to be reached.
const randomText = (n: number) =>
  Array.from({ length: n }, () => String.fromCharCode(0x4e00 + Math.floor(Math.random() * 0x5000))).join('');

describe('names and ids are at most 512 characters', () => {
  it('takes a userName of 512 four-byte characters', async () => {
    const userName = '😀'.repeat(512);
    const user = await createUser(scim, oktaUser(userName));
    expect((await readBack(scim, `/Users/${user.id}`)).userName).toBe(userName);
  });

  it.each(['userName', 'externalId', 'displayName'])(
    'refuses a user %s of 513 characters with 400 invalidValue, on POST, PUT and PATCH',
    async (attribute) => {
      const long = randomText(513);
      const post = await scim.post('/Users', { ...oktaUser(unique('long')), [attribute]: long });
      expectScimError(post, 400, 'invalidValue');
      expect(post.body.detail).toContain(attribute);

      const user = await createUser(scim, oktaUser(unique('long')));
      expectScimError(
        await scim.put(`/Users/${user.id}`, { ...oktaUser(user.userName as string), [attribute]: long }),
        400,
        'invalidValue',
      );
      expectScimError(
        await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: attribute, value: long })),
        400,
        'invalidValue',
      );
    },
  );

  it('refuses a group displayName or externalId of 513 characters, and a member display as long', async () => {
    const long = randomText(513);
    expectScimError(await scim.post('/Groups', oktaGroup(long)), 400, 'invalidValue');
    expectScimError(await scim.post('/Groups', { ...oktaGroup(unique('g')), externalId: long }), 400, 'invalidValue');

    const group = await createGroup(scim, oktaGroup(unique('g')));
    expectScimError(
      await scim.patch(`/Groups/${group.id}`, patchOp({ op: 'replace', value: { displayName: long } })),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim.patch(`/Groups/${group.id}`, patchOp({ op: 'replace', path: 'externalId', value: long })),
      400,
      'invalidValue',
    );
    const user = await createUser(scim, oktaUser(unique('member')));
    expectScimError(
      await scim.patch(
        `/Groups/${group.id}`,
        patchOp({ op: 'add', path: 'members', value: [{ value: user.id, display: long }] }),
      ),
      400,
      'invalidValue',
    );
    expect((await readBack(scim, `/Groups/${group.id}`)).displayName).toBe(group.displayName);
  });

  it('still answers a 3,000-character name with 400, not the database error it used to be', async () => {
    const res = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: randomText(3000) });
    expectScimError(res, 400, 'invalidValue');
  });
});

describe('a multi-valued attribute holds at most 100 values', () => {
  it('takes 100 e-mails and refuses 101 on POST', async () => {
    await createUser(scim, oktaUser(unique('hundred'), { emails: emails(100) }));
    const res = await scim.post('/Users', oktaUser(unique('many'), { emails: emails(101) }));
    expectScimError(res, 400, 'invalidValue');
    expect(res.body.detail).toContain('emails');
  });

  it('refuses PATCH adds that together pass 100, and keeps the user as it was', async () => {
    const user = await createUser(scim, oktaUser(unique('adds'), { emails: emails(60) }));
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'add', path: 'emails', value: emails(50, 'more') }),
    );
    expectScimError(res, 400, 'invalidValue');
    expect((await readBack(scim, `/Users/${user.id}`)).emails).toHaveLength(60);
  });
});

it('refuses a user whose attributes take more than 64 KiB', async () => {
  const res = await scim.post('/Users', oktaUser(unique('big'), { title: 'x'.repeat(70_000) }));
  expectScimError(res, 400, 'invalidValue');
  expect(res.body.detail).toMatch(/65536/);
});

describe('a PATCH reads the user back once per batch of operations, not once per operation', () => {
  // Before batching, 1,000 operations on this user took ~10 s of event loop; jest's 5 s timeout catches a regression.
  it('applies 1,000 operations on a user with 100 e-mails', async () => {
    const user = await createUser(scim, oktaUser(unique('ops'), { emails: emails(100) }));
    const operations = Array.from({ length: 1000 }, (_, i) => ({ op: 'replace', path: 'title', value: `title ${i}` }));
    expectScim(await scim.patch(`/Users/${user.id}`, patchOp(...operations)), 200);
    expect((await readBack(scim, `/Users/${user.id}`)).title).toBe('title 999');
  });

  it('still lets each value-filter step see what the earlier steps did', async () => {
    const user = await createUser(scim, oktaUser(unique('steps'), { emails: [] }));
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp(
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'w@example.com' },
        { op: 'replace', path: 'emails[type eq "home"].value', value: 'h@example.com' },
        { op: 'replace', path: 'emails[type eq "work"].display', value: 'Work' },
        { op: 'replace', path: 'title', value: 'Between' },
        { op: 'replace', path: 'emails[type eq "work"].primary', value: true },
      ),
    );
    expectScim(res, 200);
    expect(res.body.emails).toEqual([
      { type: 'work', value: 'w@example.com', display: 'Work', primary: true },
      { type: 'home', value: 'h@example.com' },
    ]);
    expect(res.body.title).toBe('Between');
  });

  it('refuses a request that would need the user re-read more than 10 times', async () => {
    const user = await createUser(scim, oktaUser(unique('reread'), { emails: [] }));
    const operations = Array.from({ length: 12 }, (_, i) => ({
      op: 'replace',
      path: `emails[value eq "t${i}@example.com"].display`,
      value: `T${i}`,
    }));
    const res = await scim.patch(`/Users/${user.id}`, patchOp(...operations));
    expectScimError(res, 400, 'invalidValue');
    expect(res.body.detail).toMatch(/several requests/);
    expect((await readBack(scim, `/Users/${user.id}`)).emails).toEqual([]);
  });
});

describe('"primary" is true on at most one value (RFC 7643 §2.4)', () => {
  const primaries = (doc: Record<string, unknown>) =>
    (doc.emails as { value: string; primary?: boolean }[]).filter((e) => e.primary).map((e) => e.value);

  it('refuses a POST or PUT with two primary e-mails', async () => {
    const two = [
      { value: 'a@example.com', primary: true },
      { value: 'b@example.com', primary: true },
    ];
    expectScimError(await scim.post('/Users', oktaUser(unique('two'), { emails: two })), 400, 'invalidValue');
    const user = await createUser(scim, oktaUser(unique('put')));
    expectScimError(
      await scim.put(`/Users/${user.id}`, oktaUser(user.userName as string, { emails: two })),
      400,
      'invalidValue',
    );
  });

  it('a PATCH that makes a value primary takes primary from the one that had it (RFC 7644 §3.5.2)', async () => {
    const user = await createUser(
      scim,
      oktaUser(unique('primary'), { emails: [{ value: 'old@example.com', type: 'work', primary: true }] }),
    );
    const added = await scim.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'add', path: 'emails', value: [{ value: 'new@example.com', type: 'home', primary: true }] }),
    );
    expectScim(added, 200);
    expect(primaries(added.body)).toEqual(['new@example.com']);
    expect(added.body.emails).toContainEqual({ value: 'old@example.com', type: 'work', primary: false });

    const flipped = await scim.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'replace', path: 'emails[value eq "old@example.com"].primary', value: true }),
    );
    expectScim(flipped, 200);
    expect(primaries(flipped.body)).toEqual(['old@example.com']);
  });
});
