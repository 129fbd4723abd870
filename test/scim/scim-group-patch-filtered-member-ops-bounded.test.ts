import { randomUUID } from 'node:crypto';
import { createGroup, createManyUsers, expectScimError, type ScimDoc } from '../support/fixtures.js';
import { patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

/**
 * Issue 9, defect 8: a member operation whose filter is anything but `value eq` (say
 * `members[display co "x"]`) reads every member of the group, under the group's lock. 1,000 of them
 * in one PATCH held a 20,000-member group for seconds. At most 10 may come in one request
 * (400 tooMany: RFC 7644 §3.12 lists it for PATCH path filters); the forms Okta and Entra ID send,
 * `members[value eq "id"]` and `Remove` on `members` with a value array, name their members and stay
 * unlimited (up to the 1,000 operations any PATCH may carry).
 */
const LIMIT = 10;

let app: TestApp;
let scim: ScimClient;
let users: ScimDoc[];

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  users = await createManyUsers(scim, 60, 'bounded');
}, 120_000);
afterAll(() => app.close());

const displayed = (docs: ScimDoc[]) =>
  docs.map((u, i) => ({ value: u.id, display: `Member ${i % 2 ? 'odd' : 'even'} ${i}` }));

async function memberIds(groupId: string): Promise<string[]> {
  const res = await scim.get(`/Groups/${groupId}`);
  expect(res.status).toBe(200);
  return ((res.body.members as { value: string }[] | undefined) ?? []).map((m) => m.value).sort();
}

const sorted = (ids: string[]) => [...ids].sort();

describe('member operations with a filter other than value eq', () => {
  it(`refuses a PATCH with ${LIMIT + 1} of them (400 tooMany naming the limit) and changes nothing`, async () => {
    const group = await createGroup(scim, 'Bounded refused', { members: displayed(users.slice(0, 20)) });
    const before = await scim.get(`/Groups/${group.id}`);
    const operations = Array.from({ length: LIMIT + 1 }, (_, i) => ({
      op: 'remove',
      path: `members[display co "${i}"]`,
    }));
    const res = await scim.patch(`/Groups/${group.id}`, patchOp(...operations));
    expectScimError(res, 400, 'tooMany');
    expect(res.body.detail).toContain(String(LIMIT + 1));
    expect(res.body.detail).toContain(`at most ${LIMIT}`);
    expect(res.body.detail).toContain('value eq');
    const after = await scim.get(`/Groups/${group.id}`);
    expect(after.headers.etag).toBe(before.headers.etag);
    expect(await memberIds(group.id)).toEqual(sorted(users.slice(0, 20).map((u) => u.id)));
  });

  it(`refuses the pen-test's 1,000 "display co" removals at once`, async () => {
    const group = await createGroup(scim, 'Bounded thousand', { members: displayed(users.slice(0, 5)) });
    const operations = Array.from({ length: 1000 }, (_, i) => ({
      op: 'remove',
      path: `members[display co "nobody-${i}"]`,
    }));
    expectScimError(await scim.patch(`/Groups/${group.id}`, patchOp(...operations)), 400, 'tooMany');
  });

  it(`counts replace with a filter, and filters on type or display combined with value, among them`, async () => {
    const group = await createGroup(scim, 'Bounded replace', { members: displayed(users.slice(0, 4)) });
    const operations = Array.from({ length: LIMIT + 1 }, (_, i) =>
      i % 2
        ? { op: 'replace', path: 'members[type eq "Group"]', value: [{ value: users[5]!.id }] }
        : { op: 'remove', path: `members[value eq "${users[i]!.id}" and display co "odd"]` },
    );
    expectScimError(await scim.patch(`/Groups/${group.id}`, patchOp(...operations)), 400, 'tooMany');
  });

  it(`applies ${LIMIT} of them, in order, beside any number of value eq removals`, async () => {
    const members = users.slice(0, 40);
    const group = await createGroup(scim, 'Bounded applied', { members: displayed(members) });
    const operations = [
      ...Array.from({ length: LIMIT - 1 }, () => ({ op: 'remove', path: 'members[display co "odd"]' })),
      { op: 'remove', path: 'members[display sw "Member even 1"]' },
      ...members.slice(20, 40).map((u) => ({ op: 'remove', path: `members[value eq "${u.id}"]` })),
    ];
    const res = await scim.patch(`/Groups/${group.id}`, patchOp(...operations));
    expect(res.status).toBe(200);
    // Left: even positions below 20 except 10, 12, 14, 16, 18 (displays "Member even 1…").
    const kept = members.slice(0, 20).filter((_, i) => i % 2 === 0 && !String(i).startsWith('1'));
    expect(await memberIds(group.id)).toEqual(sorted(kept.map((u) => u.id)));
  });

  it('applies them in order with the additions between them', async () => {
    const [a, b, c, d] = users.slice(40, 44) as [ScimDoc, ScimDoc, ScimDoc, ScimDoc];
    const group = await createGroup(scim, 'Bounded in order', {
      members: [
        { value: a.id, display: 'old one' },
        { value: b.id, display: 'kept' },
      ],
    });
    const res = await scim.patch(
      `/Groups/${group.id}`,
      patchOp(
        // Removes a; c, added after it, is not removed even though it matches.
        { op: 'remove', path: 'members[display co "one"]' },
        {
          op: 'add',
          path: 'members',
          value: [
            { value: c.id, display: 'new one' },
            { value: d.id, display: 'new two' },
          ],
        },
        // Removes d, added before it, and nothing else.
        { op: 'remove', path: 'members[display co "two"]' },
        { op: 'remove', path: 'members[display eq "nobody"]' },
      ),
    );
    expect(res.status).toBe(200);
    expect(await memberIds(group.id)).toEqual(sorted([b.id, c.id]));
  });
});

describe('member operations that name their members stay unlimited', () => {
  it('takes 1,000 Okta removals (members[value eq "id"]) in one PATCH', async () => {
    const members = users.slice(0, 50);
    const group = await createGroup(scim, 'Okta thousand', { members: members.map((u) => ({ value: u.id })) });
    // 50 members and 950 ids that are in no group: removing a non-member changes nothing.
    const ids = [...members.map((u) => u.id), ...Array.from({ length: 950 }, () => randomUUID())];
    const res = await scim.patch(
      `/Groups/${group.id}`,
      patchOp(...ids.map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` }))),
    );
    expect(res.status).toBe(200);
    expect(await memberIds(group.id)).toEqual([]);
  });

  it("takes value eq joined by or, and Entra's Remove on members with a 1,000-value array, in one PATCH", async () => {
    const members = users.slice(0, 30);
    const group = await createGroup(scim, 'Entra thousand', { members: members.map((u) => ({ value: u.id })) });
    const pairs = Array.from({ length: 20 }, (_, i) => ({
      op: 'remove',
      path: `members[value eq "${randomUUID()}" or value eq "${members[i]!.id}"]`,
    }));
    const array = {
      op: 'Remove',
      path: 'members',
      value: [
        ...members.slice(20, 25).map((u) => ({ value: u.id })),
        ...Array.from({ length: 995 }, () => ({ value: randomUUID() })),
      ],
    };
    const res = await scim.patch(`/Groups/${group.id}`, patchOp(...pairs, array));
    expect(res.status).toBe(200);
    expect(await memberIds(group.id)).toEqual(sorted(members.slice(25).map((u) => u.id)));
  });
});
