import { createUser } from '../support/fixtures.js';
import { USER_SCHEMA, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

/**
 * `sw` is answered by LIKE 'prefix%' (so an index can serve it): the characters LIKE gives a meaning
 * (`_` any one, `%` any run, `\` its escape) must still match only themselves (RFC 7644 §3.4.2.2:
 * "starts with" is a plain string prefix).
 */
let app: TestApp;
let scim: ScimClient;
const names = ['a_b@x.io', 'axb@x.io', 'a%c@x.io', 'aZZc@x.io', 'a\\d@x.io', 'A_B.upper@x.io'];

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  for (const userName of names) await createUser(scim, { schemas: [USER_SCHEMA], userName });
});
afterAll(() => app.close());

async function matching(filter: string): Promise<string[]> {
  const res = await scim.get(`/Users?filter=${encodeURIComponent(filter)}&attributes=userName`);
  expect(res.status).toBe(200);
  return (res.body.Resources as { userName: string }[]).map((u) => u.userName).sort();
}

it.each([
  ['userName sw "a_"', ['A_B.upper@x.io', 'a_b@x.io']],
  ['userName sw "a%"', ['a%c@x.io']],
  ['userName sw "a\\\\"', ['a\\d@x.io']],
  ['userName sw "a"', [...names].sort()],
  ['userName sw "A_B."', ['A_B.upper@x.io']],
  ['userName sw "zz"', []],
])('%s', async (filter, expected) => {
  expect(await matching(filter)).toEqual(expected);
});
