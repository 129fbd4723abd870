import type { Page } from 'playwright-core';
import { jti, startTestIdp, type TestIdp } from '../support/signals.js';
import { createKey, oktaUser, scimClient } from '../support/test-app.js';
import { openAdminPage, signIn, type AdminPage } from './admin-page.js';
import { describeInBrowser, shoot, STEP_TIMEOUT_MS } from './browser.js';
import { isFocused } from './keyboard-and-narrow.js';

/**
 * Organization settings' Signals section against the real API (GET/PUT
 * /api/v1/organizations/current/signals, whose JWKS URLs keyscope reads on save), and a key an
 * identity provider's Universal Logout suspended, shown with its reason.
 */
const PUBLIC_URL = 'https://keyscope.example.com';

describeInBrowser('admin page: signal settings and signal suspensions', () => {
  let ui: AdminPage;
  let page: Page;
  let idp: TestIdp;

  beforeAll(async () => {
    ui = await openAdminPage({ PUBLIC_URL });
    page = ui.page;
    idp = await startTestIdp('https://acme.okta.test');
  }, 60_000);
  afterAll(async () => {
    await idp?.close();
    await ui?.close();
  });
  afterEach(() => {
    expect(ui.foreignRequests).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });

  const section = () => page.getByRole('region', { name: 'Signals' });
  const stored = () => ui.call(ui.app.adminToken, 'GET', '/organizations/current/signals');

  it(
    'places an unreadable JWKS URL’s error on its field, then saves Universal Logout and a transmitter',
    async () => {
      await signIn(page, ui.app.adminToken);
      await page.goto('/ui/settings');
      await section().getByText('No transmitter: Shared Signals are refused.').waitFor();
      await section().getByLabel('Issuer (your Okta org URL)').fill(idp.issuer);
      await section().getByLabel('JWKS URL', { exact: true }).fill(idp.jwksUri);
      await section().getByRole('button', { name: 'Add a transmitter' }).click();
      await section().getByLabel('Transmitter 1 issuer').fill('https://ssf.example.test');
      // Nothing answers on port 1: keyscope cannot read a JWKS there.
      await section().getByLabel('Transmitter 1 JWKS URL').fill('http://127.0.0.1:1/keys');
      await section().getByRole('button', { name: 'Save signal settings' }).click();
      await page.locator('#tx-0-jwks-error').waitFor();
      expect(await isFocused(section().getByLabel('Transmitter 1 JWKS URL'))).toBe(true);
      expect((await stored()).body).toMatchObject({ transmitters: [], universalLogout: null });

      await section().getByLabel('Transmitter 1 JWKS URL').fill(idp.jwksUri);
      await section().getByLabel('When a signal arrives').selectOption('end_sessions');
      await section().getByRole('button', { name: 'Save signal settings' }).click();
      await section().getByRole('status').filter({ hasText: 'Signal settings saved.' }).waitFor();
      await shoot(page, 'organization-settings-signals');
      expect((await stored()).body).toEqual({
        transmitters: [{ issuer: 'https://ssf.example.test', jwksUri: idp.jwksUri }],
        universalLogout: { issuer: idp.issuer, jwksUri: idp.jwksUri },
        onSignal: 'end_sessions',
      });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'shows a key Universal Logout suspended as “Suspended: identity provider logout”',
    async () => {
      await section().getByLabel('When a signal arrives').selectOption('suspend_keys');
      await section().getByRole('button', { name: 'Save signal settings' }).click();
      await section().getByRole('status').filter({ hasText: 'Signal settings saved.' }).waitFor();
      const scim = await scimClient(ui.app);
      const userId = (await scim.post('/Users', oktaUser('lou@example.com'))).body.id as string;
      const key = await createKey(ui.app, { name: 'lou laptop', kind: 'personal', ownerUserId: userId });
      const now = Math.floor(Date.now() / 1000);
      const token = await idp.sign(
        { iss: idp.issuer, aud: PUBLIC_URL, jti: jti(), iat: now, exp: now + 60 },
        { typ: 'JWT' },
      );
      const res = await ui.app.http
        .post('/api/v1/global-token-revocation')
        .set('Authorization', `Bearer ${token}`)
        .send({ sub_id: { format: 'email', email: 'lou@example.com' } });
      expect(res.status).toBe(204);
      await page.goto(`/ui/keys/${key.id}`);
      await page.getByText('identity provider logout').first().waitFor();
      expect(await page.getByText('Suspended', { exact: true }).count()).toBeGreaterThan(0);
    },
    STEP_TIMEOUT_MS,
  );
});
