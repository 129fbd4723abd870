import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { Response } from 'supertest';
import {
  createGroup,
  createUser,
  expectScimError,
  pick,
  seededRandom,
  SCIM_ERROR,
  type ScimDoc,
} from '../support/fixtures.js';
import {
  ENTERPRISE,
  GROUP_SCHEMA,
  PATCH_OP,
  USER_SCHEMA,
  oktaUser,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * Whatever a client sends, keyscope answers with a SCIM error of the client's making (4xx, RFC 7644
 * §3.12), never a 5xx and never internals. The limits are DESIGN §7's.
 */

let app: TestApp;
let scim: ScimClient;
let user: ScimDoc;
let group: ScimDoc;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  user = await createUser(scim, oktaUser('target@example.com'));
  group = await createGroup(scim, 'Target group', { members: [{ value: user.id }] });
});
afterAll(() => app.close());

/** A request with a raw body and a chosen Content-Type (the client helper always sends JSON). */
function raw(
  method: 'post' | 'put' | 'patch',
  url: string,
  body: string | Buffer,
  contentType = 'application/scim+json',
) {
  return app.http[method](`/scim/v2${url}`)
    .set('Authorization', `Bearer ${scim.token}`)
    .set('Content-Type', contentType)
    .send(body);
}

const STACK_LINE = /(\n|\\n)\s*at \S/;
const SOURCE_PATH = /\/work\/|node_modules|[\w-]+\.(ts|js|mjs):\d+/;

/**
 * What is wrong with an answer, if anything: a 5xx, an error without a SCIM error body, or any
 * sign of the server's insides (stack lines, source paths).
 */
function problemWith(res: Response): string | undefined {
  const text = res.text ?? '';
  if (res.status >= 500) return `answered ${res.status}`;
  if (STACK_LINE.test(text) || SOURCE_PATH.test(text)) return 'shows a stack trace or a source path';
  if (res.status >= 400) {
    const body = res.body as { schemas?: unknown; status?: unknown; detail?: unknown };
    if (
      !Array.isArray(body.schemas) ||
      body.schemas[0] !== SCIM_ERROR ||
      body.status !== String(res.status) ||
      typeof body.detail !== 'string'
    ) {
      return 'has no SCIM error body';
    }
    if (!/^application\/scim\+json/.test(String(res.headers['content-type']))) return 'is not application/scim+json';
  }
  return undefined;
}

/** Sends each request, and lists every answer that has a problem (all of them, not just the first). */
async function problemsOf(requests: { what: string; send: () => Promise<Response> }[]): Promise<string[]> {
  const problems: string[] = [];
  for (const { what, send } of requests) {
    const res = await send();
    const problem = problemWith(res);
    if (problem) problems.push(`${what.slice(0, 400)} ${problem}: ${(res.text ?? '').slice(0, 200)}`);
  }
  return problems;
}

function nested(depth: number): string {
  return `{"schemas":["${USER_SCHEMA}"],"userName":"deep${depth}@example.com","x":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
}

describe('bodies', () => {
  it('answers 400 invalidSyntax to malformed JSON', async () => {
    for (const body of ['{', '{"userName": }', '[1,2', '{"a":1}}', 'nul', '{"userName":"x",}', "{'userName':'x'}"]) {
      expectScimError(await raw('post', '/Users', body), 400, 'invalidSyntax');
    }
    expectScimError(await raw('patch', `/Users/${user.id}`, '{"Operations": ['), 400, 'invalidSyntax');
    expectScimError(await raw('put', `/Groups/${group.id}`, '{"displayName": "x"'), 400, 'invalidSyntax');
  });

  it('answers 413 to a body over 1 MB, and takes one just under it', async () => {
    const filler = (size: number) =>
      JSON.stringify({ schemas: [USER_SCHEMA], userName: `big${size}@example.com`, padding: 'x'.repeat(size) });
    expectScimError(await raw('post', '/Users', filler(1024 * 1024)), 413);
    expectScimError(await raw('put', `/Users/${user.id}`, filler(2 * 1024 * 1024)), 413);
    const under = await raw('post', '/Users', filler(1024 * 1024 - 200));
    expect(under.status).toBe(201);
  });

  it('answers 400 to JSON nested deeper than 64 levels, and takes 64', async () => {
    expect((await raw('post', '/Users', nested(64))).status).toBe(201);
    expectScimError(await raw('post', '/Users', nested(65)), 400, 'invalidSyntax');
    expectScimError(await raw('post', '/Users', '['.repeat(100_000)), 400);
    expectScimError(await raw('patch', `/Groups/${group.id}`, `{"x":${'{"a":'.repeat(70)}1${'}'.repeat(70)}}`), 400);
  });

  it('reads gzip bodies, and answers 400 to a corrupt or truncated compressed body', async () => {
    const body = JSON.stringify(oktaUser('gzipped@example.com'));
    const send = (encoding: string, data: Buffer, url = '/scim/v2/Users', token = scim.token) =>
      app.http
        .post(url)
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', encoding)
        .serialize((buffer: Buffer) => buffer as never)
        .send(data);
    const ok = await send('gzip', gzipSync(body));
    expect(ok.status).toBe(201);
    const gzipped = gzipSync(JSON.stringify(oktaUser('truncated@example.com')));
    for (const [encoding, data] of [
      ['gzip', Buffer.from('xx')],
      ['deflate', Buffer.from('xx')],
      ['br', Buffer.from('garbage!')],
      ['gzip', gzipped.subarray(0, gzipped.length - 12)],
    ] as const) {
      expectScimError(await send(encoding, data), 400);
    }
    const admin = await send('gzip', Buffer.from('xx'), '/api/v1/keys', app.adminToken);
    expect(admin.status).toBe(400);
    expect(admin.headers['content-type']).toMatch(/problem\+json/);
    expect((await send('br', brotliCompressSync(JSON.stringify(oktaUser('brotli@example.com'))))).status).toBe(201);
  });

  it('answers 415 to bodies that are not application/json or application/scim+json', async () => {
    const body = JSON.stringify(oktaUser('typed@example.com'));
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/xml',
      'multipart/form-data; boundary=x',
    ]) {
      expectScimError(await raw('post', '/Users', body, type), 415);
    }
    expectScimError(
      await raw(
        'patch',
        `/Users/${user.id}`,
        JSON.stringify(patchOp({ op: 'replace', path: 'title', value: 'x' })),
        'text/plain',
      ),
      415,
    );
    // Both JSON types are taken, with parameters (RFC 7644 §3.1).
    expect((await raw('post', '/Users', body, 'application/json; charset=utf-8')).status).toBe(201);
  });

  it('ignores unknown attributes in a POST (RFC 7644 §3.3)', async () => {
    const res = await scim.post('/Users', {
      ...oktaUser('unknown-attrs@example.com'),
      favouriteColour: 'blue',
      nested: { a: [1, 2, { b: null }] },
    });
    expect(res.status).toBe(201);
    const read = await scim.get(`/Users/${res.body.id as string}`);
    expect(JSON.stringify(read.body)).not.toMatch(/favouriteColour|nested/);
    expect(read.body.userName).toBe('unknown-attrs@example.com');
  });

  it.each<[string, Record<string, unknown>]>([
    ['a number for userName', { userName: 123 }],
    ['an array for userName', { userName: ['a@example.com'] }],
    ['a word for active', { userName: 'w1@example.com', active: 'maybe' }],
    ['a number for active', { userName: 'w2@example.com', active: 3 }],
    ['a string for emails', { userName: 'w3@example.com', emails: 'w3@example.com' }],
    ['a number as an e-mail value', { userName: 'w4@example.com', emails: [{ value: 5 }] }],
    [
      'a word for emails.primary',
      { userName: 'w5@example.com', emails: [{ value: 'w5@example.com', primary: 'yes' }] },
    ],
    ['a string for name', { userName: 'w6@example.com', name: 'Bob' }],
    ['an object for title', { userName: 'w7@example.com', title: { a: 1 } }],
    ['a number for externalId', { userName: 'w8@example.com', externalId: 5 }],
    ['a string for the enterprise extension', { userName: 'w9@example.com', [ENTERPRISE]: 'Sales' }],
    ['a number for the enterprise department', { userName: 'w10@example.com', [ENTERPRISE]: { department: 7 } }],
  ])('answers 400 invalidValue to %s', async (_what, body) => {
    const res = await scim.post('/Users', { schemas: [USER_SCHEMA, ENTERPRISE], ...body });
    expectScimError(res, 400, 'invalidValue');
  });

  // PostgreSQL text and jsonb cannot hold U+0000, so such a value can never be stored: the client's
  // error (400 invalidValue, RFC 7644 §3.12), not the server's.
  it('answers 400 invalidValue to a NUL character in a value to store', async () => {
    expectScimError(
      await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'nul\u0000name@example.com' }),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'nul-title@example.com', title: 'a\u0000b' }),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim.post('/Users', {
        schemas: [USER_SCHEMA],
        userName: 'nul-mail@example.com',
        emails: [{ value: 'a\u0000@b.c' }],
      }),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'displayName', value: '\u0000' })),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'nul\u0000group' }),
      400,
      'invalidValue',
    );
  });

  it('answers 400 invalidValue to values of the wrong type in PUT, PATCH and group bodies', async () => {
    expectScimError(
      await scim.put(`/Users/${user.id}`, {
        schemas: [USER_SCHEMA],
        userName: 'target@example.com',
        active: 'perhaps',
      }),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'active', value: 'perhaps' })),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'emails', value: 'x' })),
      400,
      'invalidValue',
    );
    expectScimError(await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 5 }), 400, 'invalidValue');
    expectScimError(
      await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Typed', members: 'x' }),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim.patch(`/Groups/${group.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: 42 }] })),
      400,
      'invalidValue',
    );
    expect((await scim.get(`/Users/${user.id}`)).body.active).toBe(true);
  });
});

describe('PATCH paths', () => {
  it.each([
    'emails[type[value eq "x"]]',
    'emails[type[value eq "x"]].value',
    'nosuch',
    'emails[bogus eq "x"].value',
    'userName[type eq "x"]',
    'name.nosuch',
    'emails[type eq "work"',
  ])('answers 400 invalidPath to %s', async (path) => {
    expectScimError(
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path, value: 'x' })),
      400,
      'invalidPath',
    );
  });
});

describe('filters', () => {
  it('answers 400 invalidFilter to a filter over 4096 characters', async () => {
    const long = `userName eq "${'a'.repeat(4100)}"`;
    expectScimError(await scim.get(`/Users?filter=${encodeURIComponent(long)}`), 400, 'invalidFilter');
    expectScimError(await scim.get(`/Groups?filter=${encodeURIComponent(long)}`), 400, 'invalidFilter');
  });

  it('answers 400 invalidFilter to a filter with more than 50 logical operators, and takes 50', async () => {
    const chain = (n: number) => Array.from({ length: n + 1 }, (_, i) => `userName eq "u${i}"`).join(' or ');
    expect((await scim.get(`/Users?filter=${encodeURIComponent(chain(50))}`)).status).toBe(200);
    expectScimError(await scim.get(`/Users?filter=${encodeURIComponent(chain(51))}`), 400, 'invalidFilter');
    const nots = `${'not ('.repeat(51)}userName pr${')'.repeat(51)}`;
    expectScimError(await scim.get(`/Users?filter=${encodeURIComponent(nots)}`), 400, 'invalidFilter');
  });

  // An expansion into disjunctive normal form (scimmy's parser) makes this 2^14 branches.
  it('answers the 650-character filter of 14 or-groups', async () => {
    const filter = Array.from({ length: 14 }, (_, i) => `(userName eq "u${i}" or displayName eq "d${i}")`).join(
      ' and ',
    );
    expect(filter.length).toBeGreaterThanOrEqual(640);
    const res = await scim.get(`/Users?filter=${encodeURIComponent(filter)}`);
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(0);
  });

  // A NUL can match no stored value: either an empty list or invalidFilter is a fair answer.
  it('answers a NUL character in a filter value without a 5xx', async () => {
    for (const filter of [
      'userName eq "\\u0000"',
      'userName eq "\u0000"',
      'title sw "a\\u0000"',
      `emails[value co "\\u0000"]`,
      `${ENTERPRISE}:department ne "\\u0000"`,
    ]) {
      const res = await scim.get(`/Users?filter=${encodeURIComponent(filter)}`);
      if (res.status === 200)
        expect({ filter, totalResults: res.body.totalResults }).toEqual({ filter, totalResults: 0 });
      else expectScimError(res, 400, 'invalidFilter');
    }
  });

  it.each([
    'userName',
    'userName eq',
    'userName xx "a"',
    '(userName eq "a"',
    'emails[type eq "a"',
    'userName eq "a" and',
    'nosuch eq "a"',
    'name eq "a"',
    'meta.created gt "yesterday"',
    'meta.lastModified gt "2024-01-01T00:00:00+16:00"',
    'meta.created lt "9999-12-31T23:59:59-23:59"',
    'meta.created gt "2024-02-30T00:00:00Z"',
    'meta.created gt "0000-01-01"',
    'active gt true',
    '"a" eq userName',
    'userName eq "unterminated',
  ])('answers 400 invalidFilter to %s', async (filter) => {
    expectScimError(await scim.get(`/Users?filter=${encodeURIComponent(filter)}`), 400, 'invalidFilter');
  });
});

describe('ids', () => {
  // [how the test names it, the id as it goes into the URL]
  const badIds: [string, string][] = [
    ['abc', 'abc'],
    ['%00', '%00'],
    ['5000 characters', 'a'.repeat(5000)],
    ['..%2F..%2Fetc%2Fpasswd', '..%2F..%2Fetc%2Fpasswd'],
    ['a uuid with a G', '00000000-0000-4000-8000-00000000000G'],
    ['a uuid one digit too long', '00000000-0000-4000-8000-0000000000000'],
    ["1' OR '1'='1", "1'%20OR%20'1'%3D'1"],
  ];

  it.each(badIds)('answers 404 with a SCIM error to /Users/<%s> for GET, PUT, PATCH and DELETE', async (_label, id) => {
    expectScimError(await scim.get(`/Users/${id}`), 404);
    expectScimError(await scim.put(`/Users/${id}`, oktaUser('ghost@example.com')), 404);
    expectScimError(await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'title', value: 'x' })), 404);
    expectScimError(await scim.delete(`/Users/${id}`), 404);
  });

  it.each(badIds)(
    'answers 404 with a SCIM error to /Groups/<%s> for GET, PUT, PATCH and DELETE',
    async (_label, id) => {
      expectScimError(await scim.get(`/Groups/${id}`), 404);
      expectScimError(
        await scim.put(`/Groups/${id}`, { schemas: [GROUP_SCHEMA], displayName: 'Ghost', members: [] }),
        404,
      );
      expectScimError(
        await scim.patch(`/Groups/${id}`, patchOp({ op: 'replace', path: 'displayName', value: 'x' })),
        404,
      );
      expectScimError(await scim.delete(`/Groups/${id}`), 404);
    },
  );

  // A path that is not valid percent-encoding (RFC 3986 §2.1) names no id at all: 400 is as fair as 404.
  it.each(['%E0%A4%A', '%', '%zz', 'abc%'])(
    'answers a SCIM 400 or 404 to the broken percent-encoding %s',
    async (id) => {
      for (const resource of ['Users', 'Groups']) {
        for (const res of [
          await scim.get(`/${resource}/${id}`),
          await scim.delete(`/${resource}/${id}`),
          await scim.patch(`/${resource}/${id}`, patchOp({ op: 'replace', path: 'displayName', value: 'x' })),
        ]) {
          expect({ resource, status: res.status, scimError: (res.body as { schemas?: unknown }).schemas }).toEqual({
            resource,
            status: res.status === 400 ? 400 : 404,
            scimError: [SCIM_ERROR],
          });
        }
      }
    },
  );
});

/** Random but reproducible junk: every seed gives the same requests on every run. */
describe('generated junk', () => {
  const ATTRS = [
    'userName',
    'USERNAME',
    'displayName',
    'title',
    'active',
    'emails',
    'emails.value',
    'emails.type',
    'emails.primary',
    'name.givenName',
    'name',
    'meta.created',
    'meta.lastModified',
    'meta.version',
    'id',
    'externalId',
    'members',
    'members.value',
    'members.type',
    'groups.value',
    `${ENTERPRISE}:department`,
    `${ENTERPRISE}:manager.value`,
    'urn:x:y',
    'a.b.c',
    'x-y',
    '$ref',
    '9lives',
    'password',
    'schemas',
  ];
  const OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'EQ', 'np', 'like', '=', ''];
  const VALUES = [
    '"x"',
    '""',
    '"a\\"b"',
    '"\\u0000"',
    '"%"',
    '"_"',
    '"\'"',
    '"\\\\"',
    '"😀"',
    '1',
    '-1.5e10',
    '99999999999999999999',
    'true',
    'False',
    'null',
    '2024-01-01T00:00:00Z',
    '"2024-13-45T99:99:99Z"',
    '"not a date"',
    'x',
    '"\\x"',
    `"${'z'.repeat(300)}"`,
  ];
  const GLUE = [
    ' and ',
    ' or ',
    ' AND ',
    ' ',
    '(',
    ')',
    '[',
    ']',
    'not (',
    'not',
    ' or not (',
    '',
    '\t',
    '"',
    ',',
    ';',
    '--',
    '/*',
  ];

  const VALUE_PATH_SUBS = ['type', 'value', 'primary', 'display', 'TYPE', 'nosuch'];

  /** A mostly well-formed filter (so that it reaches the SQL translation), of random shape. */
  function filterExpr(random: () => number, depth: number): string {
    const r = random();
    if (depth < 3 && r < 0.25)
      return `(${filterExpr(random, depth + 1)}${pick(random, [' and ', ' or ', ' AND '])}${filterExpr(random, depth + 1)})`;
    if (depth < 3 && r < 0.35) return `not (${filterExpr(random, depth + 1)})`;
    if (r < 0.5) {
      const inner = `${pick(random, VALUE_PATH_SUBS)} ${pick(random, OPS)} ${pick(random, VALUES)}`;
      return `${pick(random, ['emails', 'members', 'groups', 'phoneNumbers', 'name', 'title'])}[${random() < 0.3 ? `${inner} and ${pick(random, VALUE_PATH_SUBS)} pr` : inner}]`;
    }
    const attr = pick(random, ATTRS);
    return random() < 0.15 ? `${attr} pr` : `${attr} ${pick(random, OPS)} ${pick(random, VALUES)}`;
  }

  /** A filter, now and then corrupted: a character dropped, junk or glue spliced in. */
  function junkFilter(random: () => number): string {
    let text = filterExpr(random, 0);
    if (random() < 0.3) {
      const at = Math.floor(random() * (text.length + 1));
      const r = random();
      const insert =
        r < 0.5
          ? pick(random, GLUE)
          : r < 0.8
            ? String.fromCharCode(
                ...Array.from({ length: 1 + Math.floor(random() * 6) }, () => 32 + Math.floor(random() * 0x2fd0)),
              )
            : '';
      text = text.slice(0, at) + insert + text.slice(at + (r >= 0.8 ? 1 : 0));
    }
    return text;
  }

  function junkValue(random: () => number, depth = 0): unknown {
    const r = random();
    if (depth > 3 || r < 0.35)
      return pick(random, [
        'x',
        '',
        'True',
        'FALSE',
        0,
        -1,
        1.5,
        true,
        false,
        null,
        'a@b.c',
        user.id,
        group.id,
        '00000000-0000-4000-8000-000000000000',
        'é'.repeat(50),
        'nul\u0000here',
      ]);
    if (r < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => junkValue(random, depth + 1));
    const obj: Record<string, unknown> = {};
    for (let i = Math.floor(random() * 5); i > 0; i--) {
      obj[
        pick(random, [
          'value',
          'type',
          'primary',
          'display',
          'userName',
          'displayName',
          'active',
          'emails',
          'name',
          'givenName',
          'members',
          'id',
          'schemas',
          '$ref',
          ENTERPRISE,
          'manager',
          'x',
        ])
      ] = junkValue(random, depth + 1);
    }
    return obj;
  }

  const PATHS = [
    'title',
    'active',
    'emails',
    'emails[type eq "work"].value',
    'emails[type eq "work"]',
    'emails[value co "@"].primary',
    'name.givenName',
    'name',
    'members',
    `members[value eq "${'00000000-0000-4000-8000-000000000000'}"]`,
    'members[type eq "Group"]',
    'displayName',
    'externalId',
    'userName',
    'id',
    'meta',
    'groups',
    `${ENTERPRISE}:manager`,
    `${ENTERPRISE}:department`,
    ENTERPRISE,
    'emails[',
    'x[y]]',
    'emails[type eq]',
    'a.b.c',
    '',
    '   ',
    'urn:bogus:attr',
  ];

  function junkPatch(random: () => number): unknown {
    if (random() < 0.1) return junkValue(random);
    const operations = Array.from({ length: Math.floor(random() * 4) }, () => {
      const op: Record<string, unknown> = {};
      if (random() < 0.95)
        op[pick(random, ['op', 'OP', 'Op'])] = pick(random, [
          'add',
          'remove',
          'replace',
          'Add',
          'Replace',
          'Remove',
          'move',
          'copy',
          'test',
          '',
          5,
          null,
        ]);
      if (random() < 0.7) op.path = random() < 0.9 ? pick(random, PATHS) : junkValue(random);
      if (random() < 0.8) op.value = junkValue(random);
      return random() < 0.05 ? junkValue(random) : op;
    });
    return {
      schemas: random() < 0.9 ? [PATCH_OP] : junkValue(random),
      [random() < 0.9 ? 'Operations' : 'operations']: random() < 0.95 ? operations : junkValue(random),
    };
  }

  function junkResource(random: () => number, schema: string): unknown {
    if (random() < 0.1) return junkValue(random);
    const body = junkValue(random, 1);
    const doc =
      typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    if (random() < 0.7) doc.schemas = [schema];
    if (random() < 0.6)
      doc[schema === GROUP_SCHEMA ? 'displayName' : 'userName'] = `junk-${Math.floor(random() * 1e9)}`;
    return doc;
  }

  it('never answers 5xx to a few hundred junk filters and list parameters', async () => {
    const random = seededRandom(7644);
    const requests = Array.from({ length: 200 }, (_, i) => {
      const filter = junkFilter(random);
      const resource = i % 2 ? 'Users' : 'Groups';
      const extra =
        random() < 0.15
          ? `&sortBy=${encodeURIComponent(pick(random, ATTRS))}&sortOrder=${pick(random, ['ascending', 'descending', 'up'])}`
          : '';
      const paging =
        random() < 0.15
          ? `&startIndex=${pick(random, ['0', '-1', '2', 'x', '1e9', '99999999999'])}&count=${pick(random, ['-5', '0', '5', 'many', '100000'])}`
          : '';
      const projection =
        random() < 0.15
          ? `&${pick(random, ['attributes', 'excludedAttributes'])}=${encodeURIComponent(`${pick(random, ATTRS)},${pick(random, ATTRS)}`)}`
          : '';
      const url = `/${resource}?filter=${encodeURIComponent(filter)}${extra}${paging}${projection}`;
      return { what: `GET /${resource} filter=${filter}${extra}${paging}${projection}`, send: () => scim.get(url) };
    });
    expect(await problemsOf(requests)).toEqual([]);
  });

  it('never answers 5xx to a few hundred junk PATCH bodies', async () => {
    const random = seededRandom(7643);
    const requests = Array.from({ length: 200 }, (_, i) => {
      const body = JSON.stringify(junkPatch(random));
      const target = i % 2 ? `/Users/${user.id}` : `/Groups/${group.id}`;
      return { what: `PATCH ${target} ${body}`, send: () => raw('patch', target, body) };
    });
    expect(await problemsOf(requests)).toEqual([]);
  });

  it('never answers 5xx to a few hundred junk resource bodies', async () => {
    const random = seededRandom(2025);
    const requests = Array.from({ length: 200 }, (_, i) => {
      const resource = i % 2 ? 'Users' : 'Groups';
      const body = JSON.stringify(junkResource(random, resource === 'Users' ? USER_SCHEMA : GROUP_SCHEMA));
      const put = random() < 0.4;
      const url = put ? `/${resource}/${resource === 'Users' ? user.id : group.id}` : `/${resource}`;
      return { what: `${put ? 'PUT' : 'POST'} ${url} ${body}`, send: () => raw(put ? 'put' : 'post', url, body) };
    });
    expect(await problemsOf(requests)).toEqual([]);
  });

  it('still serves normal requests afterwards', async () => {
    const res = await scim.get('/Users?count=1');
    expect(res.status).toBe(200);
    expect((await scim.get('/Groups?count=1')).status).toBe(200);
  });
});
