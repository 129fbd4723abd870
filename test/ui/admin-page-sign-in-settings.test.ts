import type { Page } from 'playwright-core';
import { startProvider, type TestProvider } from '../support/oidc.js';
import { openAdminPage, signIn, type AdminPage } from './admin-page.js';
import { describeInBrowser, shoot, STEP_TIMEOUT_MS } from './browser.js';
import { isFocused } from './keyboard-and-narrow.js';

/**
 * Organization settings' Sign-in section and Self-service keys switch, against the real sign-in
 * API (GET/PUT/DELETE /api/v1/organizations/current/sso, `selfServiceKeys` in the policy) and a
 * real OpenID provider whose discovery document keyscope reads on save.
 */
const PUBLIC_URL = 'https://keyscope.example.com';

describeInBrowser('admin page: sign-in settings and self-service keys', () => {
  let ui: AdminPage;
  let page: Page;
  let provider: TestProvider;
  const secret = () => provider.clientSecret;

  beforeAll(async () => {
    ui = await openAdminPage({ PUBLIC_URL });
    page = ui.page;
    provider = await startProvider({ redirectUris: [`${PUBLIC_URL}/auth/callback`] });
  }, 60_000);
  afterAll(async () => {
    await provider?.close();
    await ui?.close();
  });
  afterEach(() => {
    expect(ui.foreignRequests.filter((u) => !u.startsWith(provider.issuer))).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });

  const section = () => page.getByRole('region', { name: 'Sign-in' });
  const stored = () => ui.call(ui.app.adminToken, 'GET', '/organizations/current/sso');

  it(
    'offers to configure sign-in when it is off, and places the discovery error on the issuer',
    async () => {
      await signIn(page, ui.app.adminToken);
      await page.goto('/ui/settings');
      await section().getByText('Sign-in with an identity provider is off').waitFor();
      expect(await section().getByRole('button', { name: 'Turn off sign-in' }).count()).toBe(0);

      // Nothing answers on port 1: keyscope cannot read a discovery document there.
      await section().getByLabel('Issuer URL').fill('http://127.0.0.1:1');
      await section().getByLabel('Client id').fill(provider.clientId);
      await section().getByLabel('Client secret').fill(secret());
      await section().getByRole('button', { name: 'Save sign-in settings' }).click();
      const error = page.locator('#sso-issuer-error');
      await error.waitFor();
      expect((await error.innerText()).length).toBeGreaterThan(0);
      expect(await isFocused(section().getByLabel('Issuer URL'))).toBe(true);
      expect((await stored()).status).toBe(404);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'saves the settings, then shows the redirect URI and keeps the stored secret when left empty',
    async () => {
      await section().getByLabel('Issuer URL').fill(provider.issuer);
      await section().getByLabel('Matches the SCIM attribute').selectOption('emails');
      await section().getByLabel('ID token claim').fill('email');
      await section().getByRole('button', { name: 'Save sign-in settings' }).click();
      await section().getByText(`${PUBLIC_URL}/auth/callback`).waitFor();
      await section().getByText('A secret is stored. Leave empty to keep it.').waitFor();
      expect(await section().getByLabel('Client secret').inputValue()).toBe('');
      await shoot(page, 'organization-settings-sign-in');
      expect((await stored()).body).toMatchObject({
        issuer: provider.issuer,
        clientId: provider.clientId,
        claim: 'email',
        attribute: 'emails',
        hasClientSecret: true,
      });

      // Saved again with the secret left empty: the stored one is kept (discovery still passes).
      await section().getByLabel('ID token claim').fill('preferred_username');
      await section().getByRole('button', { name: 'Save sign-in settings' }).click();
      await section().getByRole('status').filter({ hasText: 'Sign-in settings saved.' }).waitFor();
      const after = await stored();
      expect(after.body).toMatchObject({ claim: 'preferred_username', hasClientSecret: true });
      expect(JSON.stringify(after.body)).not.toContain(secret());
      expect(await page.content()).not.toContain(secret());
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'turns sign-in off',
    async () => {
      await section().getByRole('button', { name: 'Turn off sign-in' }).click();
      await section().getByText('Sign-in with an identity provider is off').waitFor();
      expect((await stored()).status).toBe(404);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'shows the Self-service keys switch and saves it with the policy',
    async () => {
      const toggle = page.getByRole('switch', { name: 'People may create and manage their own personal keys' });
      expect(await toggle.isChecked()).toBe(true);
      await toggle.uncheck();
      await page.getByRole('button', { name: 'Save policy' }).click();
      await page.getByRole('status').filter({ hasText: 'Policy saved.' }).waitFor();
      const org = await ui.call(ui.app.adminToken, 'GET', '/organizations/current');
      expect((org.body.policy as Record<string, unknown>).selfServiceKeys).toBe(false);
      await page.reload();
      await page.getByRole('heading', { name: 'Key policy' }).waitFor();
      expect(await toggle.isChecked()).toBe(false);
    },
    STEP_TIMEOUT_MS,
  );
});
