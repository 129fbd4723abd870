import { createUser, expectScim, expectScimError, filterQuery, type Json } from '../support/clients.js';
import { ACME, acmeSchema, registerSchema } from '../support/extensions.js';
import { USER_SCHEMA, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Issue 13: registered extension attributes filter and sort like built-in ones, in SQL (the filter
// becomes a condition on users.attributes; nothing is filtered in memory), with their declared types.
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  expect((await registerSchema(app, acmeSchema())).status).toBe(201);
  scim = await scimClient(app);
  const people: [string, Json][] = [
    [
      'ann@f.test',
      {
        costCenter: 'Sales',
        badgeNumber: 9,
        ratio: 0.25,
        contractor: true,
        hiredOn: '2020-05-01T00:00:00Z',
        skills: ['go'],
        building: { code: 'B1', floor: 3 },
        projects: [{ value: 'apollo', role: 'lead' }],
      },
    ],
    [
      'bob@f.test',
      {
        costCenter: 'sales',
        badgeNumber: 10,
        ratio: 1.5,
        contractor: false,
        hiredOn: '2022-01-01T00:00:00Z',
        skills: ['sql', 'go'],
        building: { code: 'B2', floor: 1 },
      },
    ],
    [
      'cyd@f.test',
      {
        costCenter: 'Ops',
        badgeNumber: 100,
        hiredOn: '2019-03-01T00:00:00Z',
        projects: [{ value: 'gemini', role: 'member' }],
      },
    ],
    ['dan@f.test', {}],
  ];
  for (const [userName, acme] of people)
    await createUser(scim, { schemas: [USER_SCHEMA, ACME], userName, [ACME]: acme });
});
afterAll(() => app.close());

async function names(query: string): Promise<string[]> {
  const res = await scim.get(`/Users?${query}`);
  expectScim(res, 200);
  return (res.body.Resources as Json[]).map((u) => String(u.userName));
}
const where = (expression: string, extra = '') => names(filterQuery(expression, extra));

describe('filtering on registered attributes', () => {
  it('compares strings case-insensitively unless caseExact (RFC 7644 §3.4.2.2)', async () => {
    expect(await where(`${ACME}:costCenter eq "SALES"`, 'sortBy=userName')).toEqual(['ann@f.test', 'bob@f.test']);
    expect(await where(`${ACME}:costCenter sw "op"`)).toEqual(['cyd@f.test']);
  });

  it('compares integers and decimals as numbers, not text', async () => {
    expect(await where(`${ACME}:badgeNumber gt 9`, 'sortBy=userName')).toEqual(['bob@f.test', 'cyd@f.test']);
    expect(await where(`${ACME}:ratio le 1`)).toEqual(['ann@f.test']);
  });

  it('compares booleans and date-times by their type', async () => {
    expect(await where(`${ACME}:contractor eq true`)).toEqual(['ann@f.test']);
    expect(await where(`${ACME}:hiredOn lt "2021-01-01T00:00:00Z"`, 'sortBy=userName')).toEqual([
      'ann@f.test',
      'cyd@f.test',
    ]);
  });

  it('filters on multi-valued, complex and value-filtered attributes, and pr', async () => {
    expect(await where(`${ACME}:skills eq "sql"`)).toEqual(['bob@f.test']);
    expect(await where(`${ACME}:building.floor ge 2`)).toEqual(['ann@f.test']);
    expect(await where(`${ACME}:projects[role eq "member"]`)).toEqual(['cyd@f.test']);
    expect(await where(`not (${ACME}:costCenter pr)`)).toEqual(['dan@f.test']);
  });

  it('refuses a comparison that does not fit the declared type with invalidFilter', async () => {
    expectScimError(await scim.get(`/Users?${filterQuery(`${ACME}:badgeNumber eq "ten"`)}`), 400, 'invalidFilter');
    expectScimError(await scim.get(`/Users?${filterQuery(`${ACME}:nothing eq "x"`)}`), 400, 'invalidFilter');
  });

  it('filters the same way in POST /.search and on the root', async () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: `${ACME}:badgeNumber ge 100`,
    };
    for (const url of ['/Users/.search', '/.search']) {
      const res = await scim.post(url, body);
      expectScim(res, 200);
      expect((res.body.Resources as Json[]).map((u) => u.userName)).toEqual(['cyd@f.test']);
    }
  });
});

describe('sorting on registered attributes', () => {
  it('sorts numbers numerically, missing values last', async () => {
    expect(await names(`sortBy=${ACME}:badgeNumber`)).toEqual(['ann@f.test', 'bob@f.test', 'cyd@f.test', 'dan@f.test']);
    expect(await names(`sortBy=${ACME}:badgeNumber&sortOrder=descending`)).toEqual([
      'cyd@f.test',
      'bob@f.test',
      'ann@f.test',
      'dan@f.test',
    ]);
  });

  it('sorts date-times and sub-attributes', async () => {
    expect(await names(`sortBy=${ACME}:hiredOn`)).toEqual(['cyd@f.test', 'ann@f.test', 'bob@f.test', 'dan@f.test']);
    expect(await names(`sortBy=${ACME}:building.floor`)).toEqual([
      'bob@f.test',
      'ann@f.test',
      'cyd@f.test',
      'dan@f.test',
    ]);
  });
});

describe('sorting agrees with the values read back (differential)', () => {
  it('orders random integers, decimals and date-times as JavaScript compares them', async () => {
    const other = await startTestApp();
    try {
      expect((await registerSchema(other, acmeSchema())).status).toBe(201);
      const client = await scimClient(other);
      let seed = 7;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      for (let i = 0; i < 25; i++) {
        const acme: Json = {
          badgeNumber: Math.floor((random() - 0.5) * 2000),
          ratio: Number(((random() - 0.5) * 1e4).toPrecision(3)),
          hiredOn: new Date(Date.UTC(1990, 0, 1) + Math.floor(random() * 1e12)).toISOString(),
        };
        if (i % 5 === 0) delete acme.ratio;
        await createUser(client, { schemas: [USER_SCHEMA, ACME], userName: `sort${i}@f.test`, [ACME]: acme });
      }
      for (const [attribute, value] of [
        ['badgeNumber', (a: Json) => a.badgeNumber as number],
        ['ratio', (a: Json) => a.ratio as number],
        ['hiredOn', (a: Json) => Date.parse(String(a.hiredOn))],
      ] as const) {
        for (const order of ['ascending', 'descending']) {
          const res = await client.get(`/Users?sortBy=${ACME}:${attribute}&sortOrder=${order}&count=100`);
          expectScim(res, 200);
          const got = (res.body.Resources as Json[]).map((u) => (u[ACME] as Json | undefined) ?? {});
          const present = got.filter((a) => a[attribute] !== undefined).map(value);
          const sorted = [...present].sort((x, y) => (order === 'ascending' ? x - y : y - x));
          expect(present).toEqual(sorted);
          // Users without the value come last (NULLS LAST), whatever the order.
          expect(got.slice(present.length).every((a) => a[attribute] === undefined)).toBe(true);
        }
      }
    } finally {
      await other.close();
    }
  });
});
