import { putSignals, startTestIdp, type TestIdp } from '../support/signals.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Anyone may post to an organization's Shared Signals endpoint. Refusals are audited, but at most
 * 60 a minute per organization (per process): junk cannot fill the audit log. The metric counts
 * every one.
 */
let app: TestApp;
let idp: TestIdp;

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL: 'http://keyscope.test' } });
  idp = await startTestIdp('https://flood.idp.test');
  expect((await putSignals(app, { transmitters: [{ issuer: idp.issuer, jwksUri: idp.jwksUri }] })).status).toBe(200);
});
afterAll(async () => {
  await idp.close();
  await app.close();
});

const audited = async () =>
  (
    await app.http
      .get('/api/v1/audit?action=signal.received&limit=500')
      .set('Authorization', `Bearer ${app.adminToken}`)
  ).body.items.length as number;

const refusedCount = async () => {
  const text = (await app.http.get('/metrics').set('Authorization', `Bearer ${app.adminToken}`)).text;
  const line = /keyscope_signals_total\{source="ssf",outcome="malformed"\} (\d+)/.exec(text);
  return Number(line?.[1] ?? 0);
};

it('audits at most 60 refusals a minute per organization, and counts them all', async () => {
  const before = await audited();
  for (let i = 0; i < 90; i++) {
    const res = await app.http
      .post(`/ssf/events/${app.orgId}`)
      .set('Content-Type', 'application/secevent+jwt')
      .send(`junk ${i}`);
    expect(res.body.err).toBe('invalid_request');
  }
  const added = (await audited()) - before;
  expect(added).toBeGreaterThanOrEqual(60);
  expect(added).toBeLessThan(90);
  expect(await refusedCount()).toBe(90);
});
