import { configureSignIn, startProvider, type TestProvider } from '../support/oidc.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// GET /auth/login needs no credential and writes a sign-in attempt row: without a limit, anybody
// could fill the table as fast as they can send requests.
const PUBLIC_URL = 'http://keyscope.test';
let app: TestApp;
let provider: TestProvider;

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL, SIGNIN_RATE_LIMIT: '3' } });
  provider = await startProvider({ redirectUris: [`${PUBLIC_URL}/auth/callback`] });
  expect((await configureSignIn(app.keyscope.app, app.adminToken, provider)).status).toBe(200);
});
afterAll(async () => {
  await provider.close();
  await app.close();
});

const attempts = async () =>
  Number((await app.db.query<{ n: string }>('SELECT count(*) AS n FROM signin_attempts')).rows[0]!.n);

describe('GET /auth/login', () => {
  it('starts at most SIGNIN_RATE_LIMIT sign-ins a minute per client address, then answers 429 and writes nothing', async () => {
    const before = await attempts();
    for (let i = 0; i < 3; i++) expect((await app.http.get('/auth/login?org=default')).status).toBe(302);
    const refused = await app.http.get('/auth/login?org=default');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.text).toMatch(/Too many sign-in attempts/);
    expect(await attempts()).toBe(before + 3);
    // A minute later the address may start again.
    app.clock.advance(61_000);
    expect((await app.http.get('/auth/login?org=default')).status).toBe(302);
  });
});
