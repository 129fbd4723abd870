import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const directives = (csp: string) =>
  csp
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean);

/**
 * Served over plain HTTP on any host but localhost, `upgrade-insecure-requests` makes the browser
 * fetch the page's scripts and styles over https, which fails and leaves the page blank.
 */
describe('the admin page over plain HTTP', () => {
  it("keeps helmet's Content-Security-Policy without upgrade-insecure-requests", async () => {
    const res = await app.http.get('/ui/');
    expect(res.status).toBe(200);
    const csp = directives(String(res.headers['content-security-policy']));
    expect(csp).not.toContain('upgrade-insecure-requests');
    // Every other directive of helmet's default policy stays.
    expect(csp.sort()).toEqual(
      [
        "default-src 'self'",
        "base-uri 'self'",
        "font-src 'self' https: data:",
        "form-action 'self'",
        "frame-ancestors 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "script-src 'self'",
        "script-src-attr 'none'",
        "style-src 'self' https: 'unsafe-inline'",
      ].sort(),
    );
  });
});
