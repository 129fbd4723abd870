import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Strict-Transport-Security only when the request came over HTTPS (RFC 6797 §7.2): keyscope speaks
 * plain HTTP itself, so that means behind a TLS-terminating proxy it trusts (TRUST_PROXY) that says
 * X-Forwarded-Proto: https. A client talking to keyscope directly cannot ask for it.
 */
const HSTS = 'max-age=31536000; includeSubDomains';
const PATHS = ['/healthz', '/api/v1/me', '/ui/', '/no/such/thing'];

describe('without TRUST_PROXY', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('never sends it: the request came over plain HTTP, whatever X-Forwarded-Proto says', async () => {
    for (const path of PATHS) {
      expect((await app.http.get(path)).headers['strict-transport-security']).toBeUndefined();
      const claimed = await app.http.get(path).set('X-Forwarded-Proto', 'https');
      expect(claimed.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('keeps helmet’s other headers', async () => {
    const res = await app.http.get('/healthz');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
  });
});

describe('with TRUST_PROXY=1 (one TLS-terminating proxy)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { TRUST_PROXY: '1' } });
  });
  afterAll(() => app.close());

  it('sends it when the proxy says the request came over https, on every kind of answer', async () => {
    for (const path of PATHS) {
      const res = await app.http.get(path).set('X-Forwarded-Proto', 'https');
      expect(res.headers['strict-transport-security']).toBe(HSTS);
    }
  });

  it('not when the proxy says http, nor without the header', async () => {
    for (const path of PATHS) {
      expect((await app.http.get(path)).headers['strict-transport-security']).toBeUndefined();
      const http = await app.http.get(path).set('X-Forwarded-Proto', 'http');
      expect(http.headers['strict-transport-security']).toBeUndefined();
    }
  });
});
